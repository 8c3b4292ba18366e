using BenchmarkDotNet.Attributes;
using Ntm.Addressing;
using Ntm.Memory;
using Ntm.Model;
using Ntm.Numerics;

namespace Ntm.Benchmarks;

/// <summary>
/// Forward and backward of every kernel of one time step, at the paper's copy configuration: LSTM
/// controller of 100 units over [x (9); r (20); h (100)], so a 400 x 129 gate matrix; head
/// projection (92 x 100: one write head of 66 outputs and one read head of 26); memory 128 x 20;
/// shifts -1..1. One call is one head (or one vector for the linear maps); the inputs are random
/// but shaped like the real ones (weightings are distributions, keys and memory are small values).
/// </summary>
[MemoryDiagnoser]
public class KernelBenchmarks
{
    private static readonly NtmConfig Config = new();
    private readonly int _n = Config.MemoryRows, _m = Config.MemoryWidth, _h = Config.ControllerSize;
    private int _gateRows, _gateCols, _headRows;

    // Linear maps: weights, biases, inputs and outputs for up to 4 vectors, and their gradients.
    private float[] _gateW = [], _gateB = [], _gateX = [], _gateY = [], _gateDw = [], _gateDb = [], _gateDx = [], _gateDy = [];
    private float[] _headW = [], _headB = [], _headX = [], _headY = [], _headDw = [], _headDb = [], _headDx = [], _headDy = [];

    // One head's addressing and the memory it works on.
    private float[] _memory = [], _memoryNext = [], _rowNorms = [], _key = [], _shift = [];
    private float[] _sim = [], _wc = [], _wPrev = [], _wg = [], _wTilde = [], _w = [];
    private float[] _erase = [], _add = [], _read = [];
    private float _beta, _gate, _gamma, _keyNorm;
    private float[] _dMemory = [], _dKey = [], _dWc = [], _dWPrev = [], _dWg = [], _dWTilde = [], _dW = [], _dShift = [], _scratch = [];
    private float[] _dErase = [], _dAdd = [], _dRead = [], _dMemoryPrev = [], _dMemoryNext = [];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Rng(1);
        var layout = new ParameterLayout(Config);
        _gateRows = 4 * _h;
        _gateCols = Config.ControllerInputSize + _h;
        _headRows = layout.HeadOutputSize;
        const int batch = 4;

        _gateW = Random(rng, _gateRows * _gateCols, 0.1f);
        _gateB = Random(rng, _gateRows, 0.1f);
        _gateX = Random(rng, batch * _gateCols, 1f);
        _gateY = new float[batch * _gateRows];
        _gateDw = new float[_gateW.Length];
        _gateDb = new float[_gateRows];
        _gateDx = new float[_gateX.Length];
        _gateDy = Random(rng, batch * _gateRows, 1e-3f);

        _headW = Random(rng, _headRows * _h, 0.1f);
        _headB = Random(rng, _headRows, 0.1f);
        _headX = Random(rng, _h, 1f);
        _headY = new float[_headRows];
        _headDw = new float[_headW.Length];
        _headDb = new float[_headRows];
        _headDx = new float[_h];
        _headDy = Random(rng, _headRows, 1e-3f);

        _memory = Random(rng, _n * _m, 0.5f);
        _memoryNext = new float[_n * _m];
        _rowNorms = new float[_n];
        ContentAddressing.RowNorms<float>(_memory, _m, _rowNorms);
        _key = Random(rng, _m, 1f);
        _beta = 5f;
        _gate = 0.7f;
        _gamma = 2.5f;
        _shift = [0.1f, 0.2f, 0.7f];
        _sim = new float[_n];
        _wc = new float[_n];
        _wPrev = Distribution(rng, _n);
        _wg = new float[_n];
        _wTilde = new float[_n];
        _w = new float[_n];
        _erase = Random(rng, _m, 0.5f).Select(v => v + 0.5f).ToArray();
        _add = Random(rng, _m, 1f);
        _read = new float[_m];
        // One forward pass so every backward sees consistent records.
        _keyNorm = ContentAddressing.Forward<float>(_key, _beta, _memory, _rowNorms, _sim, _wc);
        Interpolation.Forward<float>(_wc, _wPrev, _gate, _wg);
        Shift.Forward<float>(_wg, _shift, _wTilde);
        Sharpen.Forward<float>(_wTilde, _gamma, _w);

        _dMemory = new float[_n * _m];
        _dMemoryPrev = new float[_n * _m];
        _dMemoryNext = Random(rng, _n * _m, 1e-3f);
        _dKey = new float[_m];
        _dWc = new float[_n];
        _dWPrev = new float[_n];
        _dWg = new float[_n];
        _dWTilde = new float[_n];
        _dW = Random(rng, _n, 1e-3f);
        _dShift = new float[_shift.Length];
        _scratch = new float[2 * _n];   // sharpening's backward needs two rows
        _dErase = new float[_m];
        _dAdd = new float[_m];
        _dRead = Random(rng, _m, 1e-3f);
    }

    private static float[] Random(Rng rng, int length, float scale)
    {
        var a = new float[length];
        for (int i = 0; i < a.Length; i++) a[i] = scale * (2 * rng.NextFloat() - 1);
        return a;
    }

    private static float[] Distribution(Rng rng, int length)
    {
        var a = new float[length];
        for (int i = 0; i < a.Length; i++) a[i] = rng.NextFloat() + 1e-3f;
        float sum = a.Sum();
        for (int i = 0; i < a.Length; i++) a[i] /= sum;
        return a;
    }

    // ------------------------------------------------------------ controller gates: 400 x 129

    /// <summary>LSTM gate pre-activations W [x; r; h] + b for one sequence.</summary>
    [Benchmark]
    public float LstmLinearForwardBatch1()
    {
        Linear.Forward<float>(_gateW, _gateB, _gateRows, _gateCols, _gateX, _gateCols, _gateY, _gateRows, 1);
        return _gateY[0];
    }

    /// <summary>The same for a shard of four sequences (batch 8 split in two).</summary>
    [Benchmark]
    public float LstmLinearForwardBatch4()
    {
        Linear.Forward<float>(_gateW, _gateB, _gateRows, _gateCols, _gateX, _gateCols, _gateY, _gateRows, 4);
        return _gateY[0];
    }

    /// <summary>dW, db and dx of the gate matrix for one sequence.</summary>
    [Benchmark]
    public float LstmLinearBackwardBatch1()
    {
        Linear.Backward<float>(_gateDw, _gateDb, _gateDx, _gateCols, _gateW, _gateRows, _gateCols, _gateX, _gateCols, _gateDy, _gateRows, 1);
        return _gateDx[0];
    }

    /// <summary>dW, db and dx of the gate matrix for four sequences.</summary>
    [Benchmark]
    public float LstmLinearBackwardBatch4()
    {
        Linear.Backward<float>(_gateDw, _gateDb, _gateDx, _gateCols, _gateW, _gateRows, _gateCols, _gateX, _gateCols, _gateDy, _gateRows, 4);
        return _gateDx[0];
    }

    // ------------------------------------------------------------ head projection: 92 x 100

    /// <summary>Every head's raw parameters from the controller output.</summary>
    [Benchmark]
    public float HeadProjectionForward()
    {
        Linear.Forward<float>(_headW, _headB, _headRows, _h, _headX, _h, _headY, _headRows, 1);
        return _headY[0];
    }

    /// <summary>Its backward (dW, db, dh).</summary>
    [Benchmark]
    public float HeadProjectionBackward()
    {
        Linear.Backward<float>(_headDw, _headDb, _headDx, _h, _headW, _headRows, _h, _headX, _h, _headDy, _headRows, 1);
        return _headDx[0];
    }

    // ------------------------------------------------------------ addressing, one head, N = 128, M = 20

    /// <summary>eq. 5-6: cosine similarity with every row, softmax.</summary>
    [Benchmark]
    public float ContentForward() => ContentAddressing.Forward<float>(_key, _beta, _memory, _rowNorms, _sim, _wc);

    /// <summary>Backward of content addressing: dk, dM, dbeta.</summary>
    [Benchmark]
    public float ContentBackward() =>
        ContentAddressing.Backward<float>(_dKey, _dMemory, _dW, _key, _beta, _keyNorm, _memory, _rowNorms, _sim, _wc, _scratch);

    /// <summary>eq. 7.</summary>
    [Benchmark]
    public float InterpolationForward()
    {
        Interpolation.Forward<float>(_wc, _wPrev, _gate, _wg);
        return _wg[0];
    }

    /// <summary>Backward of eq. 7.</summary>
    [Benchmark]
    public float InterpolationBackward() => Interpolation.Backward<float>(_dWc, _dWPrev, _dW, _wc, _wPrev, _gate);

    /// <summary>eq. 8 with shifts -1..1.</summary>
    [Benchmark]
    public float ShiftForward()
    {
        Shift.Forward<float>(_wg, _shift, _wTilde);
        return _wTilde[0];
    }

    /// <summary>Backward of eq. 8.</summary>
    [Benchmark]
    public float ShiftBackward()
    {
        Shift.Backward<float>(_dWg, _dShift, _dW, _wg, _shift);
        return _dShift[0];
    }

    /// <summary>eq. 9.</summary>
    [Benchmark]
    public float SharpenForward()
    {
        Sharpen.Forward<float>(_wTilde, _gamma, _w);
        return _w[0];
    }

    /// <summary>Backward of eq. 9.</summary>
    [Benchmark]
    public float SharpenBackward() => Sharpen.Backward<float>(_dWTilde, _dW, _wTilde, _gamma, _w, _scratch);

    // ------------------------------------------------------------ memory, 128 x 20

    /// <summary>eq. 2: one read head.</summary>
    [Benchmark]
    public float ReadForward()
    {
        MemoryRead.Forward<float>(_w, _memory, _read);
        return _read[0];
    }

    /// <summary>Backward of eq. 2: dw and dM.</summary>
    [Benchmark]
    public float ReadBackward()
    {
        MemoryRead.Backward<float>(_dWc, _dMemory, _dRead, _w, _memory);
        return _dWc[0];
    }

    /// <summary>eq. 3-4: one write head erases and adds.</summary>
    [Benchmark]
    public float WriteForward()
    {
        MemoryWrite.Forward<float>(_memory, _memoryNext, _w, _erase, _add, 1, _n, _m);
        return _memoryNext[0];
    }

    /// <summary>Backward of eq. 3-4: dM_{t-1}, dw, de, da.</summary>
    [Benchmark]
    public float WriteBackward()
    {
        MemoryWrite.Backward<float>(_dMemoryPrev, _dWc, _dErase, _dAdd, _dMemoryNext, _memory, _w, _erase, _add, 1, _n, _m);
        return _dErase[0];
    }

    /// <summary>The row norms of the new memory that the next content addressing divides by.</summary>
    [Benchmark]
    public float RowNorms()
    {
        ContentAddressing.RowNorms<float>(_memory, _m, _rowNorms);
        return _rowNorms[0];
    }
}
