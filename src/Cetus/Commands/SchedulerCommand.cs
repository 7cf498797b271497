using System.CommandLine;
using Cetus.Scheduler;
using Cetus.Scheduler.Config;

namespace Cetus.Commands;

/// <summary>
/// <c>cetus scheduler --kubeconfig FILE [--config FILE]</c>: the scheduler alone, reaching the API server with the
/// identity in FILE (<c>cetus server</c> writes one, DATA-DIR/scheduler.kubeconfig, and runs the scheduler itself).
/// </summary>
internal static class SchedulerCommand
{
    /// <summary>Adds the <c>scheduler</c> subcommand.</summary>
    public static void AddTo(RootCommand root)
    {
        Option<string> kubeconfig = new("--kubeconfig") { Description = "The kubeconfig to reach the API server with.", Required = true };
        Option<string?> config = new("--config") { Description = "The scheduler's profiles: a KubeSchedulerConfiguration file (plugins per extension point, weights, percentageOfNodesToScore)." };
        Option<bool> leaderElect = new("--leader-elect") { Description = "Elect a leader (Lease kube-system/kube-scheduler) before scheduling.", DefaultValueFactory = _ => true };
        Command command = new("scheduler", "Run the scheduler against an API server.") { kubeconfig, config, leaderElect };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var configPath = parseResult.GetValue(config);
            var configuration = LoadConfiguration(configPath, parseResult.InvocationConfiguration.Error);
            if (configPath is not null && configuration is null)
            {
                return 1;
            }

            using var client = ControllerManagerCommand.CreateClient(parseResult.GetValue(kubeconfig)!);
            using var loggers = ControllerManagerCommand.CreateLoggers();
            KubeScheduler scheduler;
            try
            {
                scheduler = new KubeScheduler(client, new KubeSchedulerOptions { LeaderElect = parseResult.GetValue(leaderElect), Configuration = configuration }, loggers: loggers);
            }
            catch (InvalidOperationException e)
            {
                parseResult.InvocationConfiguration.Error.WriteLine($"cetus: the scheduler configuration is not valid: {e.Message}");
                return 1;
            }

            parseResult.InvocationConfiguration.Output.WriteLine($"cetus: scheduler against {client.BaseUri}");
            try
            {
                await scheduler.RunAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            return 0;
        });
        root.Subcommands.Add(command);
    }

    /// <summary>Reads a scheduler configuration file; null (with the reason on <paramref name="error"/>) when it cannot.</summary>
    public static SchedulerConfiguration? LoadConfiguration(string? path, TextWriter error)
    {
        if (path is null)
        {
            return null;
        }

        try
        {
            var configuration = SchedulerConfiguration.Load(path);
            KubeScheduler.Validate(configuration);
            return configuration;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException)
        {
            error.WriteLine($"cetus: the scheduler configuration {path} is not valid: {e.Message}");
            return null;
        }
    }
}
