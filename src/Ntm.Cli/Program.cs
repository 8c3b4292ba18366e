using System.Diagnostics;
using Ntm.Model;
using Ntm.Numerics;
using Ntm.Tasks;
using Ntm.Training;

ulong seed = ulong.Parse(args[0]);
var opt = Enum.Parse<OptimizerKind>(args[1]);
float lr = float.Parse(args[2]);
int bs = int.Parse(args[3]);
var task = new CopyTask();
var model = NeuralTuringMachine.Create(new NtmConfig(), seed);
var trainer = new Trainer(model, task, new TrainerOptions { Optimizer = opt, LearningRate = lr, BatchSize = bs, Seed = seed, Threads = int.Parse(args[5]), ClipNorm = float.Parse(args[6]) });
var sw = Stopwatch.StartNew();
double c = 0, e = 0, gn = 0; int k = 0;
while (sw.Elapsed.TotalSeconds < double.Parse(args[4]))
{
    var r = trainer.Step();
    c += r.CostBits; e += r.BitErrors; gn += r.GradientNorm; k++;
    if (trainer.SequencesSeen % 1000 < bs)
    {
        var ev = Trainer.Evaluate(model, task, new Rng(999), 10, 10);
        Console.WriteLine($"{trainer.SequencesSeen} {sw.Elapsed.TotalSeconds:F1}s train {c / k:F2} bits {e / k:F2} errs gn {gn / k:F2} | eval {ev.MeanCostBits:F2} {ev.MeanBitErrors:F3}");
        c = e = gn = 0; k = 0;
        if (ev.MeanBitErrors < 0.1) break;
    }
}
