using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Ntm.Benchmarking;
using Ntm.Numerics;

namespace Ntm.Benchmarks;

/// <summary>
/// Our matrix-product kernels (<see cref="Gemm"/>, on the widest path the processor accelerates)
/// against single-threaded OpenBLAS <c>cblas_sgemm</c> on the same operands, in the same run, at the
/// copy machine's controller shape: the 400 x 129 gate matrix over a shard of
/// <see cref="Batch"/> sequences forward (Y = X W^T + bias), its input gradient (dX += dY W) and its
/// weight gradient over <see cref="Steps"/> steps of the shard (dW += dY^T X, K = steps x batch).
/// OpenBLAS is each category's baseline, so the Ratio column is our time over its time (below 1:
/// faster) and the GFLOP/s column gives both rates (2 m n k flops per call; our forward also adds
/// the bias, which OpenBLAS does not). Without OpenBLAS its rows are left out and a line says why.
/// <c>dotnet run -c Release --project benchmarks/Ntm.Benchmarks -- --filter '*Gemm*'</c>
/// </summary>
[Config(typeof(GemmConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
[CategoriesColumn]
public class GemmBenchmarks
{
    /// <summary>Time steps per sequence for the weight gradient: the longest copy sequence of length 20 is 42 steps.</summary>
    public const int Steps = 42;
    private static readonly int Rows = ThroughputBenchmark.GateRows(ThroughputBenchmark.CopyConfig);
    private static readonly int Cols = ThroughputBenchmark.GateCols(ThroughputBenchmark.CopyConfig);

    [Params(8, 16)]
    public int Batch { get; set; }

    private float[] _w = [], _bias = [], _x = [], _y = [], _dy = [], _dx = [], _dw = [], _xAll = [], _dyAll = [];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Rng(1);
        _w = GemmConfig.Random(rng, Rows * Cols, 0.1f);
        _bias = GemmConfig.Random(rng, Rows, 0.1f);
        _x = GemmConfig.Random(rng, Batch * Cols, 1f);
        _y = new float[Batch * Rows];
        _dy = GemmConfig.Random(rng, Batch * Rows, 1e-3f);
        _dx = new float[Batch * Cols];
        _dw = new float[Rows * Cols];
        _xAll = GemmConfig.Random(rng, Steps * Batch * Cols, 1f);
        _dyAll = GemmConfig.Random(rng, Steps * Batch * Rows, 1e-3f);
    }

    /// <summary>Flops of one call of a category at a batch.</summary>
    internal static double Flops(string category, int batch) => category switch
    {
        "forward" or "input gradient" => 2.0 * Rows * Cols * batch,
        "weight gradient" => 2.0 * Rows * Cols * Steps * batch,
        _ => double.NaN,
    };

    [Benchmark(Baseline = true), BenchmarkCategory("forward")]
    public void OpenBlasForward() => OpenBlas.Gemm(false, true, Batch, Rows, Cols, 1f, _x, Cols, _w, Cols, 0f, _y, Rows);

    [Benchmark, BenchmarkCategory("forward")]
    public void GemmForward() => Gemm.Forward(Gemm.Best, _w, _bias, Rows, Cols, _x, Cols, _y, Rows, Batch);

    [Benchmark(Baseline = true), BenchmarkCategory("input gradient")]
    public void OpenBlasInputGradient() => OpenBlas.Gemm(false, false, Batch, Cols, Rows, 1f, _dy, Rows, _w, Cols, 1f, _dx, Cols);

    [Benchmark, BenchmarkCategory("input gradient")]
    public void GemmInputGradient() => Gemm.InputGradient(Gemm.Best, _dx, Cols, _w, Rows, Cols, _dy, Rows, Batch);

    [Benchmark(Baseline = true), BenchmarkCategory("weight gradient")]
    public void OpenBlasWeightGradient() => OpenBlas.Gemm(true, false, Rows, Cols, Steps * Batch, 1f, _dyAll, Rows, _xAll, Cols, 1f, _dw, Cols);

    [Benchmark, BenchmarkCategory("weight gradient")]
    public void GemmWeightGradient() => Gemm.WeightGradient(Gemm.Best, _dw, Rows, Cols, _xAll, Cols, _dyAll, Rows, Steps * Batch);
}

/// <summary>
/// The same comparison on a square 1024 x 1024 x 1024 product, for reference: C = A B^T through our
/// forward kernel (no bias), and through <c>cblas_sgemm</c>.
/// </summary>
[Config(typeof(GemmConfig))]
[CategoriesColumn]
public class GemmSquareBenchmarks
{
    private const int N = 1024;
    private float[] _a = [], _b = [], _c = [], _zero = [];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Rng(2);
        _a = GemmConfig.Random(rng, N * N, 1f);
        _b = GemmConfig.Random(rng, N * N, 1f);
        _c = new float[N * N];
        _zero = new float[N];
    }

    internal static double Flops => 2.0 * N * N * N;

    [Benchmark(Baseline = true), BenchmarkCategory("1024 x 1024 x 1024")]
    public void OpenBlasSquare() => OpenBlas.Gemm(false, true, N, N, N, 1f, _a, N, _b, N, 0f, _c, N);

    [Benchmark, BenchmarkCategory("1024 x 1024 x 1024")]
    public void GemmSquare() => Gemm.Forward(Gemm.Best, _b, _zero, N, N, _a, N, _c, N, N);
}

/// <summary>
/// Adds the fastest and median times and GFLOP/s at the mean and at the fastest time (on a shared
/// machine the fastest iteration is the least disturbed), and leaves out the OpenBLAS rows when it is missing.
/// </summary>
public sealed class GemmConfig : ManualConfig
{
    public GemmConfig()
    {
        AddColumn(StatisticColumn.Min, StatisticColumn.Median, new GflopsColumn("GFLOP/s", s => s.Mean), new GflopsColumn("GFLOP/s at min", s => s.Min));
        if (OpenBlas.Available) Say($"OpenBLAS: {OpenBlas.Library}, core {OpenBlas.Core}, 1 thread; Gemm path {Gemm.Best}.");
        else
        {
            Say($"OpenBLAS not found ({OpenBlas.Missing}); its rows are skipped. On Debian: apt-get install libopenblas0");
            AddFilter(new SimpleFilter(c => !c.Descriptor.WorkloadMethod.Name.StartsWith("OpenBlas", StringComparison.Ordinal)));
        }
    }

    private static bool _said;

    // Once per process, however many times BenchmarkDotNet builds the configuration.
    private static void Say(string line)
    {
        if (_said) return;
        _said = true;
        Console.WriteLine(line);
    }

    internal static float[] Random(Rng rng, int length, float scale)
    {
        var a = new float[length];
        for (int i = 0; i < a.Length; i++) a[i] = scale * (2 * rng.NextFloat() - 1);
        return a;
    }

    // 2 m n k flops over a statistic of the time in nanoseconds.
    private sealed class GflopsColumn(string name, Func<BenchmarkDotNet.Mathematics.Statistics, double> time) : IColumn
    {
        public string Id => nameof(GflopsColumn) + name;
        public string ColumnName => name;
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => $"2 m n k flops per call over the {(name.Contains("min") ? "fastest" : "mean")} time";
        public bool IsAvailable(Summary summary) => true;
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
        {
            var stats = summary[benchmarkCase]?.ResultStatistics;
            if (stats is null) return "-";
            double ns = time(stats);
            string category = benchmarkCase.Descriptor.Categories.FirstOrDefault() ?? "";
            double flops = benchmarkCase.Descriptor.Type == typeof(GemmSquareBenchmarks) ? GemmSquareBenchmarks.Flops
                : GemmBenchmarks.Flops(category, (int)benchmarkCase.Parameters["Batch"]);
            return (flops / ns).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
