using System.CommandLine;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Cetus.Client.Security;
using Cetus.Scheduler;
using Cetus.Scheduler.Config;
using Cetus.Scheduler.Server;
using k8s;

namespace Cetus.Commands;

/// <summary>
/// <c>cetus scheduler --kubeconfig FILE [--config FILE] [--secure-port 10259] [--bind-address 0.0.0.0]</c>: the
/// scheduler alone, reaching the API server with the identity in FILE (<c>cetus server</c> writes one,
/// DATA-DIR/scheduler.kubeconfig, and runs the scheduler itself). Its decisions (<c>cetus explain pod</c>) are served
/// on the secure port to the API server, which finds the leader's address on the kube-scheduler Lease.
/// </summary>
internal static class SchedulerCommand
{
    /// <summary>Adds the <c>scheduler</c> subcommand.</summary>
    public static void AddTo(RootCommand root)
    {
        Option<string> kubeconfig = new("--kubeconfig") { Description = "The kubeconfig to reach the API server with.", Required = true };
        Option<string?> config = new("--config") { Description = "The scheduler's profiles: a KubeSchedulerConfiguration file (plugins per extension point, weights, percentageOfNodesToScore)." };
        Option<bool> leaderElect = new("--leader-elect") { Description = "Elect a leader (Lease kube-system/kube-scheduler) before scheduling.", DefaultValueFactory = _ => true };
        Option<int> securePort = new("--secure-port") { Description = "The HTTPS port the API server reads scheduling decisions from (cetus explain pod); 0 turns it off.", DefaultValueFactory = _ => DecisionsServerOptions.DefaultPort };
        Option<string> bindAddress = new("--bind-address") { Description = "The address the secure port listens on.", DefaultValueFactory = _ => "0.0.0.0" };
        Command command = new("scheduler", "Run the scheduler against an API server.") { kubeconfig, config, leaderElect, securePort, bindAddress };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var configPath = parseResult.GetValue(config);
            var configuration = LoadConfiguration(configPath, parseResult.InvocationConfiguration.Error);
            if (configPath is not null && configuration is null)
            {
                return 1;
            }

            var clientConfig = KubeconfigFile.Load(parseResult.GetValue(kubeconfig)!);
            using var client = ControllerManagerCommand.CreateClient(clientConfig);
            using var loggers = ControllerManagerCommand.CreateLoggers();
            var port = parseResult.GetValue(securePort);
            var bind = parseResult.GetValue(bindAddress)!;
            if (port is < 0 or > 65535 || !IPAddress.TryParse(bind, out var bindIp))
            {
                parseResult.InvocationConfiguration.Error.WriteLine($"cetus: --secure-port must be in [0, 65535] and --bind-address an IP address");
                return 1;
            }

            if (port > 0 && clientConfig.SslCaCerts is not { Count: > 0 })
            {
                parseResult.InvocationConfiguration.Error.WriteLine("cetus: the kubeconfig names no certificate authority, which the secure port needs to check the API server's client certificate (or use --secure-port 0)");
                return 1;
            }

            var decisions = port > 0 ? new Scheduler.Decisions.SchedulingDecisions() : null;
            await using var server = decisions is null ? null : await DecisionsServer.StartAsync(
                new DecisionsServerOptions { BindAddress = bind, Port = port, ClientCertificateAuthority = clientConfig.SslCaCerts![0] }, decisions, loggers, cancellationToken).ConfigureAwait(false);
            KubeScheduler scheduler;
            try
            {
                scheduler = new KubeScheduler(client, new KubeSchedulerOptions
                {
                    LeaderElect = parseResult.GetValue(leaderElect),
                    Configuration = configuration,
                    Decisions = decisions,
                    DecisionsEndpoint = server is null ? null : (new Uri($"https://{Advertised(bindIp)}:{new Uri(server.Address).Port}"), server.CertificateSha256),
                }, loggers: loggers);
            }
            catch (InvalidOperationException e)
            {
                parseResult.InvocationConfiguration.Error.WriteLine($"cetus: the scheduler configuration is not valid: {e.Message}");
                return 1;
            }

            parseResult.InvocationConfiguration.Output.WriteLine($"cetus: scheduler against {client.BaseUri}" + (server is null ? string.Empty : $", decisions on {server.Address}"));
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

    // The address other hosts reach the secure port at: the bind address, or for "every interface" the first
    // non-loopback IPv4 address that is up (the loopback address on a machine without one).
    private static string Advertised(IPAddress bind)
    {
        if (!bind.Equals(IPAddress.Any) && !bind.Equals(IPAddress.IPv6Any))
        {
            return bind.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{bind}]" : bind.ToString();
        }

        var address = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        return (address ?? IPAddress.Loopback).ToString();
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
