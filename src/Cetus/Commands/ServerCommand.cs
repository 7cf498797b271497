using System.CommandLine;
using Cetus.ApiServer.Audit;
using Cetus.ApiServer.Services;

namespace Cetus.Commands;

/// <summary>
/// <c>cetus server</c>: the control plane. Opens the datastore, creates (or reuses) the cluster's certificates under
/// the data directory, writes an admin kubeconfig, and serves the Kubernetes API over HTTPS until stopped.
/// </summary>
internal static class ServerCommand
{
    /// <summary>Adds the <c>server</c> subcommand.</summary>
    public static void AddTo(RootCommand root)
    {
        var flags = new ServerFlags();
        Command command = new("server", "Run the Cetus control plane (the Kubernetes API server).");
        flags.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            await using var controlPlane = await ControlPlane.StartAsync(flags.Read(parseResult), output, parseResult.InvocationConfiguration.Error, cancellationToken).ConfigureAwait(false);
            if (controlPlane is null)
            {
                return 1;
            }

            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                output.WriteLine("cetus: stopping");
            }

            return 0;
        });
        root.Subcommands.Add(command);
    }
}

/// <summary>The flags of the control plane, shared by <c>cetus server</c> and <c>cetus up</c>.</summary>
internal sealed class ServerFlags
{
    private readonly Option<string> _dataDir = new("--data-dir") { Description = "Where the datastore, certificates and kubeconfig live.", DefaultValueFactory = _ => "/var/lib/cetus" };
    private readonly Option<string?> _datastore = new("--datastore") { Description = $"The datastore: {Storage.Datastore.Forms}. Default: sqlite:///DATA-DIR/state.db." };
    private readonly Option<string> _bindAddress = new("--bind-address") { Description = "The address to serve on.", DefaultValueFactory = _ => "127.0.0.1" };
    private readonly Option<int> _securePort = new("--secure-port") { Description = "The HTTPS port.", DefaultValueFactory = _ => 6443 };
    private readonly Option<string[]> _tlsSan = new("--tls-san") { Description = "Extra host names or addresses for the serving certificate.", AllowMultipleArgumentsPerToken = true };
    private readonly Option<string?> _tokenAuthFile = new("--token-auth-file") { Description = "A CSV file of bearer tokens: token,user,uid,\"group1,group2\"." };
    private readonly Option<bool> _disableControllerManager = new("--disable-controller-manager") { Description = "Do not run the controller manager in this process." };
    private readonly Option<bool> _disableScheduler = new("--disable-scheduler") { Description = "Do not run the scheduler in this process." };
    private readonly Option<string?> _schedulerConfig = new("--scheduler-config") { Description = "The scheduler's profiles (a KubeSchedulerConfiguration file, as kube-scheduler --config)." };
    private readonly Option<string?> _auditLogPath = new("--audit-log-path") { Description = "The audit log (one JSON line per request). Default: DATA-DIR/audit/audit.log; \"\" turns it off." };
    private readonly Option<int> _auditLogMaxSize = new("--audit-log-maxsize") { Description = "Rotate the audit log at this many megabytes.", DefaultValueFactory = _ => 100 };
    private readonly Option<int> _auditLogMaxBackup = new("--audit-log-maxbackup") { Description = "Rotated audit logs to keep.", DefaultValueFactory = _ => 3 };
    private readonly Option<bool> _secretsEncryption = new("--secrets-encryption") { Description = "Encrypt Secrets at rest (AES-GCM, key in DATA-DIR/tls/secrets-encryption.key); Secrets stored before are encrypted at start." };
    private readonly Option<string> _serviceClusterIPRange = new("--service-cluster-ip-range") { Description = "The IPv4 CIDR services' cluster IPs come from; its first address is the kubernetes Service's.", DefaultValueFactory = _ => "10.43.0.0/16" };
    private readonly Option<string> _serviceNodePortRange = new("--service-node-port-range") { Description = "The ports NodePort and LoadBalancer services' node ports come from.", DefaultValueFactory = _ => "30000-32767" };
    private readonly Option<string?> _advertiseAddress = new("--advertise-address") { Description = "The address of this API server in the kubernetes Service's Endpoints. Default: the bind address (cetus up: the node IP)." };
    private readonly Option<bool> _anonymousAuth = new("--anonymous-auth") { Description = "Let requests without credentials in as system:anonymous; RBAC allows them /healthz, /livez, /readyz and /version only. Off: they get 401." };

    private readonly SigningFlags _signing = new();

    /// <summary>Adds the flags to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        _signing.AddTo(command);
        foreach (var option in new Option[] { _dataDir, _datastore, _bindAddress, _securePort, _tlsSan, _tokenAuthFile, _disableControllerManager, _disableScheduler, _schedulerConfig, _auditLogPath, _auditLogMaxSize, _auditLogMaxBackup, _secretsEncryption, _anonymousAuth, _serviceClusterIPRange, _serviceNodePortRange, _advertiseAddress })
        {
            command.Options.Add(option);
        }

        command.Validators.Add(result =>
        {
            // Only what was given: the defaults are valid.
            if (result.GetResult(_serviceClusterIPRange) is { } ipRange && Parse(ServiceCidr.Parse, ipRange.GetValueOrDefault<string>()) is { } ipError)
            {
                result.AddError("--service-cluster-ip-range: " + ipError);
            }

            if (result.GetResult(_serviceNodePortRange) is { } portRange && Parse(PortRange.Parse, portRange.GetValueOrDefault<string>()) is { } portError)
            {
                result.AddError("--service-node-port-range: " + portError);
            }

            if (result.GetResult(_advertiseAddress)?.GetValueOrDefault<string>() is { } advertise && !System.Net.IPAddress.TryParse(advertise, out _))
            {
                result.AddError($"--advertise-address: \"{advertise}\" is not an IP address");
            }
        });
    }

    /// <summary>The settings the command line asks for.</summary>
    public ServerSettings Read(ParseResult parseResult)
    {
        var data = Path.GetFullPath(parseResult.GetValue(_dataDir)!);
        var auditPath = parseResult.GetResult(_auditLogPath) is null ? Path.Combine(data, "audit", "audit.log") : parseResult.GetValue(_auditLogPath);
        var audit = string.IsNullOrEmpty(auditPath)
            ? null
            : new AuditLogOptions
            {
                Path = Path.GetFullPath(auditPath),
                MaxSizeBytes = Math.Max(1, parseResult.GetValue(_auditLogMaxSize)) * 1024L * 1024,
                MaxBackups = Math.Max(0, parseResult.GetValue(_auditLogMaxBackup)),
            };
        return new ServerSettings(
            data,
            parseResult.GetValue(_datastore),
            parseResult.GetValue(_bindAddress)!,
            parseResult.GetValue(_securePort),
            parseResult.GetValue(_tlsSan) ?? [],
            parseResult.GetValue(_tokenAuthFile),
            !parseResult.GetValue(_disableControllerManager),
            audit,
            parseResult.GetValue(_secretsEncryption),
            parseResult.GetValue(_anonymousAuth),
            !parseResult.GetValue(_disableScheduler),
            parseResult.GetValue(_schedulerConfig),
            new ServiceNetwork(ServiceCidr.Parse(parseResult.GetValue(_serviceClusterIPRange)!), PortRange.Parse(parseResult.GetValue(_serviceNodePortRange)!)),
            parseResult.GetValue(_advertiseAddress),
            _signing.Read(parseResult));
    }

    private static string? Parse<T>(Func<string, T> parse, string? text)
    {
        try
        {
            parse(text ?? string.Empty);
            return null;
        }
        catch (FormatException e)
        {
            return e.Message;
        }
    }
}

/// <summary>What the control plane runs with.</summary>
internal sealed record ServerSettings(string DataDir, string? Datastore, string BindAddress, int SecurePort, string[] TlsSans, string? TokenAuthFile, bool RunControllerManager, AuditLogOptions? AuditLog, bool EncryptSecrets, bool AnonymousAuth, bool RunScheduler, string? SchedulerConfig, ServiceNetwork ServiceNetwork, string? AdvertiseAddress, SigningSettings Signing);
