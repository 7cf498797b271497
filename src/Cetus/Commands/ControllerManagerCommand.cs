using System.CommandLine;
using Cetus.Client.Security;
using Cetus.Controllers;
using k8s;
using Microsoft.Extensions.Logging;

namespace Cetus.Commands;

/// <summary>
/// <c>cetus controller-manager --kubeconfig FILE</c>: the controller manager alone, reaching the API server with the
/// identity in FILE (<c>cetus server</c> writes one, DATA-DIR/controller-manager.kubeconfig, and runs the manager itself).
/// </summary>
internal static class ControllerManagerCommand
{
    /// <summary>Adds the <c>controller-manager</c> subcommand.</summary>
    public static void AddTo(RootCommand root)
    {
        Option<string> kubeconfig = new("--kubeconfig") { Description = "The kubeconfig to reach the API server with.", Required = true };
        Option<bool> leaderElect = new("--leader-elect") { Description = "Elect a leader (Lease kube-system/kube-controller-manager) before running controllers.", DefaultValueFactory = _ => true };
        Option<string> rootCaFile = new("--root-ca-file") { Description = "The CA bundle (PEM) published to every namespace as ConfigMap kube-root-ca.crt (default: the kubeconfig's CA)." };
        Command command = new("controller-manager", "Run the controller manager (Deployment and ReplicaSet controllers) against an API server.") { kubeconfig, leaderElect, rootCaFile };
        var signing = new SigningFlags();
        signing.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var client = CreateClient(parseResult.GetValue(kubeconfig)!);
            using var loggers = CreateLoggers();
            parseResult.InvocationConfiguration.Output.WriteLine($"cetus: controller manager against {client.BaseUri}");
            var rootCa = parseResult.GetValue(rootCaFile) is { } file ? await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false) : KubeconfigCa(parseResult.GetValue(kubeconfig)!);
            ControllerManagerOptions options;
            try
            {
                options = signing.Read(parseResult).Apply(new ControllerManagerOptions { LeaderElect = parseResult.GetValue(leaderElect), RootCertificateAuthority = rootCa }, fallback: null);
            }
            catch (InvalidDataException e)
            {
                parseResult.InvocationConfiguration.Error.WriteLine($"cetus: {e.Message}");
                return 1;
            }

            var manager = new ControllerManager(client, options, loggers: loggers);
            try
            {
                await manager.RunAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            return 0;
        });
        root.Subcommands.Add(command);
    }

    /// <summary>
    /// A client for the API server a kubeconfig names. It keeps at most 100 requests in flight, and waits and retries
    /// when the server answers 429, as client-go does.
    /// </summary>
    public static Kubernetes CreateClient(string kubeconfig) => CreateClient(KubeconfigFile.Load(kubeconfig));

    /// <inheritdoc cref="CreateClient(string)"/>
    public static Kubernetes CreateClient(KubernetesClientConfiguration config) =>
        new(config, new Cetus.Client.Http.InFlightLimitHandler(), new Cetus.Client.Http.RetryAfterHandler(), new Cetus.Client.Http.WatchConnectionHandler());

    /// <summary>The CA certificates (PEM) a kubeconfig trusts the API server with; null when it names none.</summary>
    public static string? KubeconfigCa(string kubeconfig) =>
        KubeconfigFile.Load(kubeconfig).SslCaCerts is { Count: > 0 } certificates
            ? string.Concat(certificates.Select(c => c.ExportCertificatePem() + "\n"))
            : null;

    /// <summary>Warnings and errors of the controllers, on standard error.</summary>
    public static ILoggerFactory CreateLoggers() =>
        LoggerFactory.Create(builder => builder.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
}
