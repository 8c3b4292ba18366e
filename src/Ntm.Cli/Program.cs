using System.CommandLine;
using Ntm.Cli;
using Ntm.Cli.Commands;

var root = new RootCommand("ntm: train, evaluate and inspect Neural Turing Machines (Graves, Wayne and Danihelka 2014).")
{
    TrainCommand.Build(),
    EvalCommand.Build(),
    GeneralizeCommand.Build(),
    LimitsCommand.Build(),
    ShowCommand.Build(),
    ReportCommand.Build(),
    ParamsCommand.Build(),
    BenchCommand.Build(),
};
return Cli.Invoke(root, args);
