using System.CommandLine;

// Each feature contributes its commands from its own folder; the root only assembles them.
var root = new RootCommand("studyrecs: operate StudyRecs and its learning engine from the command line");
var generate = new Command("generate", "Write realistic synthetic data sets for demos, tests and benchmarks");
generate.Subcommands.Add(StudyRecs.Cli.Engagement.GenerateEngagementCommand.Create());
generate.Subcommands.Add(StudyRecs.Cli.Datasets.GeneratePerformanceCommand.Create());
root.Subcommands.Add(generate);
root.Subcommands.Add(StudyRecs.Cli.Datasets.ImportCommand.Create());
root.Subcommands.Add(StudyRecs.Cli.Datasets.DatasetsCommand.Create());
root.Subcommands.Add(StudyRecs.Cli.Data.DbCommand.Create());
root.Subcommands.Add(StudyRecs.Cli.Accounts.UsersCommand.Create());
root.Subcommands.Add(StudyRecs.Cli.Training.TrainCommand.Create());
root.Subcommands.Add(StudyRecs.Cli.Training.ModelsCommand.Create());
root.Subcommands.Add(StudyRecs.Cli.Learning.LearnCommand.Create());
root.Subcommands.Add(StudyRecs.Cli.Recommend.RecommendEvalCommand.Create());
root.Subcommands.Add(StudyRecs.Cli.Recommend.RecommendCommand.Create());
root.Subcommands.Add(StudyRecs.Cli.Monitoring.MonitoringCommands.Monitor());
root.Subcommands.Add(StudyRecs.Cli.Monitoring.MonitoringCommands.EvaluateFeedback());
root.Subcommands.Add(StudyRecs.Cli.Monitoring.MonitoringCommands.Quality());
root.Subcommands.Add(StudyRecs.Cli.Operations.OperationsCommands.Security());
root.Subcommands.Add(StudyRecs.Cli.Operations.OperationsCommands.LoadTest());

return await root.Parse(args).InvokeAsync();
