using BenchmarkDotNet.Running;
using Ntm.Benchmarks;

// dotnet run -c Release --project benchmarks/Ntm.Benchmarks -- MODE
//   --throughput [--seconds S]   end-to-end training throughput (ThroughputBenchmark), as `ntm bench`
//   --flops                      the term-by-term flop table of the copy machine (markdown)
//   --long-sequences             managed memory of forward + backward of one 1,000 / 5,000 / 10,000-step sequence
//   --gemm-compare [--rounds R]  our matrix products and OpenBLAS taking turns; fastest and median GFLOP/s (markdown)
//   anything else                BenchmarkDotNet, e.g. --filter '*Kernel*' --job short, or --filter '*Gemm*' (ours against OpenBLAS)
return args.FirstOrDefault() switch
{
    "--throughput" => ThroughputMode.Run(args[1..]),
    "--flops" => FlopTable.Run(),
    "--long-sequences" => LongSequences.Run(),
    "--gemm-compare" => GemmCompare.Run(args[1..]),
    _ => RunBenchmarkDotNet(args),
};

static int RunBenchmarkDotNet(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(KernelBenchmarks).Assembly).Run(args);
    return 0;
}
