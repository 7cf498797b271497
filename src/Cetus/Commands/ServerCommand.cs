using System.CommandLine;
using Cetus.ApiServer;
using Cetus.ApiServer.Audit;
using Cetus.ApiServer.Security;
using Cetus.Controllers;
using Cetus.Scheduler;
using Cetus.Scheduler.Config;
using Cetus.Storage;

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
        Option<string> dataDir = new("--data-dir") { Description = "Where the datastore, certificates and kubeconfig live.", DefaultValueFactory = _ => "/var/lib/cetus" };
        Option<string?> datastore = new("--datastore") { Description = $"The datastore: {Datastore.Forms}. Default: sqlite:///DATA-DIR/state.db." };
        Option<string> bindAddress = new("--bind-address") { Description = "The address to serve on.", DefaultValueFactory = _ => "127.0.0.1" };
        Option<int> securePort = new("--secure-port") { Description = "The HTTPS port.", DefaultValueFactory = _ => 6443 };
        Option<string[]> tlsSan = new("--tls-san") { Description = "Extra host names or addresses for the serving certificate.", AllowMultipleArgumentsPerToken = true };
        Option<string?> tokenAuthFile = new("--token-auth-file") { Description = "A CSV file of bearer tokens: token,user,uid,\"group1,group2\"." };
        Option<bool> disableControllerManager = new("--disable-controller-manager") { Description = "Do not run the controller manager in this process." };
        Option<bool> disableScheduler = new("--disable-scheduler") { Description = "Do not run the scheduler in this process." };
        Option<string?> schedulerConfig = new("--scheduler-config") { Description = "The scheduler's profiles (a KubeSchedulerConfiguration file, as kube-scheduler --config)." };
        Option<string?> auditLogPath = new("--audit-log-path") { Description = "The audit log (one JSON line per request). Default: DATA-DIR/audit/audit.log; \"\" turns it off." };
        Option<int> auditLogMaxSize = new("--audit-log-maxsize") { Description = "Rotate the audit log at this many megabytes.", DefaultValueFactory = _ => 100 };
        Option<int> auditLogMaxBackup = new("--audit-log-maxbackup") { Description = "Rotated audit logs to keep.", DefaultValueFactory = _ => 3 };
        Option<bool> secretsEncryption = new("--secrets-encryption") { Description = "Encrypt Secrets at rest (AES-GCM, key in DATA-DIR/tls/secrets-encryption.key); Secrets stored before are encrypted at start." };
        Option<bool> anonymousAuth = new("--anonymous-auth") { Description = "Let requests without credentials in as system:anonymous; RBAC allows them /healthz, /livez, /readyz and /version only. Off: they get 401." };
        Command command = new("server", "Run the Cetus control plane (the Kubernetes API server).")
        {
            dataDir, datastore, bindAddress, securePort, tlsSan, tokenAuthFile, disableControllerManager, disableScheduler, schedulerConfig, auditLogPath, auditLogMaxSize, auditLogMaxBackup, secretsEncryption, anonymousAuth,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var data = Path.GetFullPath(parseResult.GetValue(dataDir)!);
            var auditPath = parseResult.GetResult(auditLogPath) is null ? Path.Combine(data, "audit", "audit.log") : parseResult.GetValue(auditLogPath);
            var audit = string.IsNullOrEmpty(auditPath)
                ? null
                : new AuditLogOptions
                {
                    Path = Path.GetFullPath(auditPath),
                    MaxSizeBytes = Math.Max(1, parseResult.GetValue(auditLogMaxSize)) * 1024L * 1024,
                    MaxBackups = Math.Max(0, parseResult.GetValue(auditLogMaxBackup)),
                };
            var options = new ServerSettings(
                data,
                parseResult.GetValue(datastore),
                parseResult.GetValue(bindAddress)!,
                parseResult.GetValue(securePort),
                parseResult.GetValue(tlsSan) ?? [],
                parseResult.GetValue(tokenAuthFile),
                !parseResult.GetValue(disableControllerManager),
                audit,
                parseResult.GetValue(secretsEncryption),
                parseResult.GetValue(anonymousAuth),
                !parseResult.GetValue(disableScheduler),
                parseResult.GetValue(schedulerConfig));
            return await RunAsync(options, parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error, cancellationToken).ConfigureAwait(false);
        });
        root.Subcommands.Add(command);
    }

    private sealed record ServerSettings(string DataDir, string? Datastore, string BindAddress, int SecurePort, string[] TlsSans, string? TokenAuthFile, bool RunControllerManager, AuditLogOptions? AuditLog, bool EncryptSecrets, bool AnonymousAuth, bool RunScheduler, string? SchedulerConfig);

    private static async Task<int> RunAsync(ServerSettings settings, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            // Checked before anything starts: a bad profile file is a usage error, not a crash later.
            var schedulerConfiguration = SchedulerCommand.LoadConfiguration(settings.SchedulerConfig, error);
            if (settings.SchedulerConfig is not null && schedulerConfiguration is null)
            {
                return 1;
            }

            Directory.CreateDirectory(settings.DataDir);
            var datastore = settings.Datastore ?? "sqlite://" + Path.Combine(settings.DataDir, "state.db");
            output.WriteLine($"cetus: datastore {datastore}");
            await using var store = Datastore.Open(datastore);

            output.WriteLine($"cetus: certificates in {Path.Combine(settings.DataDir, "tls")}");
            var pki = ClusterPki.LoadOrCreate(settings.DataDir, settings.TlsSans.Append(settings.BindAddress));
            var validator = new ClientCertificateValidator(pki.CaCertificate);
            var tokens = settings.TokenAuthFile is null ? null : TokenFile.Load(settings.TokenAuthFile);

            await using var server = await ApiServer.ApiServer.StartAsync(store, new ApiServerOptions
            {
                BindAddress = settings.BindAddress,
                SecurePort = settings.SecurePort,
                ServingCertificate = pki.ServingCertificate,
                AuthenticateCertificate = certificate => validator.Validate(certificate).User,
                AuthenticateToken = token => tokens?.Authenticate(token),
                Version = new VersionInfo(CetusVersion.Major, CetusVersion.Minor, CetusVersion.GitVersion),
                ServiceAccountTokens = ServiceAccountTokens.LoadOrCreate(settings.DataDir),
                AuditLog = settings.AuditLog,
                AnonymousAuth = settings.AnonymousAuth,
                SecretsEncryption = SecretsEncryption.Load(settings.DataDir, settings.EncryptSecrets),
            }, cancellationToken: cancellationToken).ConfigureAwait(false);

            var kubeconfig = Path.Combine(settings.DataDir, "admin.kubeconfig");
            var clientHost = settings.BindAddress is "0.0.0.0" or "::" ? "127.0.0.1" : settings.BindAddress;
            var port = new Uri(server.Address).Port;
            Kubeconfig.Write(kubeconfig, $"https://{clientHost}:{port}", pki.CaCertificatePem, pki.Admin.CertificatePem, pki.Admin.KeyPem);
            output.WriteLine($"cetus: kubeconfig {kubeconfig}");
            output.WriteLine(settings.AuditLog is { } audit ? $"cetus: audit log {audit.Path}" : "cetus: audit log off");
            output.WriteLine(settings.EncryptSecrets
                ? $"cetus: secrets encrypted at rest (key {Path.Combine(settings.DataDir, "tls", "secrets-encryption.key")}; {server.SecretsEncryptedAtStart} stored in plain text encrypted now)"
                : "cetus: secrets stored unencrypted (--secrets-encryption turns encryption on)");

            // The controller manager is a client like any other: HTTPS with its own certificate (CN system:kube-controller-manager).
            var controllerManagerKubeconfig = Path.Combine(settings.DataDir, "controller-manager.kubeconfig");
            var controllerManagerCertificate = pki.IssueClientCertificate(ClusterPki.ControllerManagerUser, [], ClusterPki.LeafLifetime);
            Kubeconfig.Write(controllerManagerKubeconfig, $"https://{clientHost}:{port}", pki.CaCertificatePem, controllerManagerCertificate.CertificatePem, controllerManagerCertificate.KeyPem, user: ClusterPki.ControllerManagerUser);
            // The scheduler likewise, as system:kube-scheduler.
            var schedulerKubeconfig = Path.Combine(settings.DataDir, "scheduler.kubeconfig");
            var schedulerCertificate = pki.IssueClientCertificate(ClusterPki.SchedulerUser, [], ClusterPki.LeafLifetime);
            Kubeconfig.Write(schedulerKubeconfig, $"https://{clientHost}:{port}", pki.CaCertificatePem, schedulerCertificate.CertificatePem, schedulerCertificate.KeyPem, user: ClusterPki.SchedulerUser);
            output.WriteLine($"cetus: API server ready at https://{clientHost}:{port} (kubectl --kubeconfig {kubeconfig} get ns)");
            output.Flush();

            using var loggers = ControllerManagerCommand.CreateLoggers();
            using var client = ControllerManagerCommand.CreateClient(controllerManagerKubeconfig);
            var controllers = settings.RunControllerManager
                ? Task.Run(() => new ControllerManager(client, new ControllerManagerOptions { ClusterSigningCertificate = pki.SigningCertificate }, loggers: loggers).RunAsync(cancellationToken), CancellationToken.None)
                : Task.CompletedTask;
            using var schedulerClient = ControllerManagerCommand.CreateClient(schedulerKubeconfig);
            var scheduler = settings.RunScheduler
                ? Task.Run(() => new KubeScheduler(schedulerClient, new KubeSchedulerOptions { Configuration = schedulerConfiguration }, loggers: loggers).RunAsync(cancellationToken), CancellationToken.None)
                : Task.CompletedTask;
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                output.WriteLine("cetus: stopping");
            }

            try
            {
                await Task.WhenAll(controllers, scheduler).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            return 0;
        }
        catch (StoreException e)
        {
            error.WriteLine($"cetus: the datastore failed: {e.Message}");
            return 1;
        }
        catch (IOException e) when (e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            error.WriteLine($"cetus: port {settings.SecurePort} on {settings.BindAddress} is in use: stop what uses it or pass --secure-port");
            return 1;
        }
    }
}
