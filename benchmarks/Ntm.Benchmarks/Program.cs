using BenchmarkDotNet.Running;

// Runs the BenchmarkDotNet suites: `dotnet run -c Release --project benchmarks/Ntm.Benchmarks -- --filter '*'`.
BenchmarkSwitcher.FromAssembly(typeof(Ntm.Benchmarks.TrainingStepBenchmarks).Assembly).Run(args);
