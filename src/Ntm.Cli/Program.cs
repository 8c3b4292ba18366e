using Ntm.Cli;
using Ntm.Cli.Commands;

return Cli.Invoke(Cli.Root(
    TrainCommand.Build(),
    EvalCommand.Build(),
    GeneralizeCommand.Build(),
    LimitsCommand.Build(),
    SweepCommand.Build(),
    ShowCommand.Build(),
    ReportCommand.Build(),
    ParamsCommand.Build(),
    BenchCommand.Build(),
    ExplainCommand.Build(),
    CurvesCommand.Build()), args);
