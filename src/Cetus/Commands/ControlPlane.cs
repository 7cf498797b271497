using System.Security.Cryptography.X509Certificates;
using Cetus.ApiServer;
using Cetus.ApiServer.Security;
using Cetus.Controllers;
using Cetus.Scheduler;
using Cetus.Storage;
using k8s;
using Microsoft.Extensions.Logging;

namespace Cetus.Commands;

/// <summary>
/// The control plane of <c>cetus server</c> and <c>cetus up</c>: the datastore, the cluster's certificates under
/// DATA-DIR/tls, the API server over HTTPS, DATA-DIR/admin.kubeconfig, and the controller manager and scheduler as
/// clients of the API with their own certificates. Disposing it stops them all.
/// </summary>
internal sealed class ControlPlane : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly List<IDisposable> _disposables = [];
    private readonly CancellationTokenSource _stop;
    private Task _components = Task.CompletedTask;

    private ControlPlane(ServerSettings settings, ClusterPki pki, CancellationToken stopping)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        Settings = settings;
        Pki = pki;
    }

    /// <summary>The settings it runs with.</summary>
    public ServerSettings Settings { get; }

    /// <summary>The cluster's CA and certificates.</summary>
    public ClusterPki Pki { get; }

    /// <summary>The API server's address for local clients (https://HOST:PORT).</summary>
    public string ServerUrl { get; private set; } = string.Empty;

    /// <summary>DATA-DIR/admin.kubeconfig.</summary>
    public string AdminKubeconfig => Path.Combine(Settings.DataDir, "admin.kubeconfig");

    /// <summary>
    /// Starts everything and prints where it is; null (with the reason on <paramref name="error"/>) when it cannot
    /// start: a bad scheduler configuration, a failing datastore, a port in use.
    /// </summary>
    public static async Task<ControlPlane?> StartAsync(ServerSettings settings, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        // Checked before anything starts: a bad profile file is a usage error, not a crash later.
        var schedulerConfiguration = SchedulerCommand.LoadConfiguration(settings.SchedulerConfig, error);
        if (settings.SchedulerConfig is not null && schedulerConfiguration is null)
        {
            return null;
        }

        ControlPlane? started = null;
        try
        {
            Directory.CreateDirectory(settings.DataDir);
            var datastore = settings.Datastore ?? "sqlite://" + Path.Combine(settings.DataDir, "state.db");
            output.WriteLine($"cetus: datastore {datastore}");
            var store = Datastore.Open(datastore);

            output.WriteLine($"cetus: certificates in {Path.Combine(settings.DataDir, "tls")}");
            var pki = ClusterPki.LoadOrCreate(settings.DataDir, settings.TlsSans.Append(settings.BindAddress));
            started = new ControlPlane(settings, pki, cancellationToken);
            started._owned.Add(store);
            var validator = new ClientCertificateValidator(pki.CaCertificate);
            var tokens = settings.TokenAuthFile is null ? null : TokenFile.Load(settings.TokenAuthFile);
            // kube-apiserver's kubelet client certificate (CN kube-apiserver-kubelet-client): the only caller kubelets let in.
            var kubeletClient = pki.IssueClientCertificate(Kubelet.Server.KubeletServerOptions.ApiServerClientName, [ClusterPki.AdminGroup], ClusterPki.LeafLifetime);
            var kubeletClientCertificate = started.Own(X509Certificate2.CreateFromPem(kubeletClient.CertificatePem, kubeletClient.KeyPem));

            // The in-process scheduler keeps its recent decisions; the API server serves them (cetus explain pod).
            var decisions = settings.RunScheduler ? new Scheduler.Decisions.SchedulingDecisions() : null;
            var server = await ApiServer.ApiServer.StartAsync(store, new ApiServerOptions
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
                ServiceNetwork = settings.ServiceNetwork,
                AdvertiseAddress = settings.AdvertiseAddress,
                Kubelets = new ApiServer.Kubelets.KubeletClientOptions { ClientCertificate = kubeletClientCertificate, CertificateAuthority = pki.CaCertificate },
                SchedulerDecisions = decisions is null ? null : decisions.FindJson,
            }, cancellationToken: cancellationToken).ConfigureAwait(false);
            // Stopped before the store it writes to.
            started._owned.Insert(0, server);

            var clientHost = settings.BindAddress is "0.0.0.0" or "::" ? "127.0.0.1" : settings.BindAddress;
            var port = new Uri(server.Address).Port;
            started.ServerUrl = $"https://{clientHost}:{port}";
            var kubeconfig = started.AdminKubeconfig;
            Kubeconfig.Write(kubeconfig, started.ServerUrl, pki.CaCertificatePem, pki.Admin.CertificatePem, pki.Admin.KeyPem);
            output.WriteLine($"cetus: kubeconfig {kubeconfig}");
            output.WriteLine(settings.AuditLog is { } audit ? $"cetus: audit log {audit.Path}" : "cetus: audit log off");
            output.WriteLine(settings.EncryptSecrets
                ? $"cetus: secrets encrypted at rest (key {Path.Combine(settings.DataDir, "tls", "secrets-encryption.key")}; {server.SecretsEncryptedAtStart} stored in plain text encrypted now)"
                : "cetus: secrets stored unencrypted (--secrets-encryption turns encryption on)");

            // The controller manager is a client like any other: HTTPS with its own certificate (CN system:kube-controller-manager).
            var controllerManagerKubeconfig = started.WriteClientKubeconfig("controller-manager.kubeconfig", ClusterPki.ControllerManagerUser, []);
            // The scheduler likewise, as system:kube-scheduler.
            var schedulerKubeconfig = started.WriteClientKubeconfig("scheduler.kubeconfig", ClusterPki.SchedulerUser, []);
            output.WriteLine($"cetus: API server ready at {started.ServerUrl} (kubectl --kubeconfig {kubeconfig} get ns)");
            output.Flush();

            // Token discovery (cetus agent --ca-cert-hash): the cluster's kubeconfig for anyone to fetch and check. Off the
            // start's critical path (the process's first client request costs most of a second on 2 cores); only
            // agents joining with --ca-cert-hash read it, and they retry until it is there.
            var clusterInfo = PublishClusterInfoAsync(kubeconfig, $"https://{settings.AdvertiseAddress ?? clientHost}:{port}", pki.CaCertificatePem, error, started._stop.Token);
            var managerOptions = settings.Signing.Apply(new ControllerManagerOptions { RootCertificateAuthority = pki.CaCertificatePem }, pki.SigningCertificate);
            WarnAboutForeignClientSigners(managerOptions, pki, error);
            var loggers = started.Own(ControllerManagerCommand.CreateLoggers());
            // One list+watch and cache per type for both components (each would otherwise watch, decode and hold every pod).
            var informers = new Client.Informers.SharedInformerSources();
            managerOptions = managerOptions with { SharedInformers = informers };
            var client = started.Own(ControllerManagerCommand.CreateClient(controllerManagerKubeconfig));
            var controllers = settings.RunControllerManager
                ? Task.Run(() => new ControllerManager(client, managerOptions, loggers: loggers).RunAsync(started._stop.Token), CancellationToken.None)
                : Task.CompletedTask;
            var schedulerClient = started.Own(ControllerManagerCommand.CreateClient(schedulerKubeconfig));
            var scheduler = settings.RunScheduler
                ? Task.Run(() => new KubeScheduler(schedulerClient, new KubeSchedulerOptions { Configuration = schedulerConfiguration, Decisions = decisions, SharedInformers = informers }, loggers: loggers).RunAsync(started._stop.Token), CancellationToken.None)
                : Task.CompletedTask;
            started._components = Task.WhenAll(controllers, scheduler, clusterInfo);
            return started;
        }
        catch (InvalidDataException e)
        {
            error.WriteLine($"cetus: {e.Message}");
        }
        catch (StoreException e)
        {
            error.WriteLine($"cetus: the datastore failed: {e.Message}");
        }
        catch (IOException e) when (e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            error.WriteLine($"cetus: port {settings.SecurePort} on {settings.BindAddress} is in use: stop what uses it or pass --secure-port");
        }

        if (started is not null)
        {
            await started.DisposeAsync().ConfigureAwait(false);
        }

        return null;
    }

    private static async Task PublishClusterInfoAsync(string kubeconfig, string serverUrl, string caPem, TextWriter error, CancellationToken cancellationToken)
    {
        await Task.Yield();
        using var admin = ControllerManagerCommand.CreateClient(kubeconfig);
        try
        {
            await ClusterInfoPublisher.PublishAsync(admin, serverUrl, caPem, cancellationToken).ConfigureAwait(false);
        }
        catch (k8s.Autorest.HttpOperationException e)
        {
            // Only joining with --ca-cert-hash needs it; the rest of the cluster works without.
            error.WriteLine($"cetus: warning: could not publish kube-public/cluster-info ({(int)e.Response.StatusCode}): agents must join with --certificate-authority");
        }
        catch (Exception e) when (e is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            error.WriteLine($"cetus: warning: could not publish kube-public/cluster-info ({e.Message}): agents must join with --certificate-authority");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    // The API server trusts client certificates, and kubelets' serving certificates, of the cluster CA only
    // (kube-apiserver's --client-ca-file and --kubelet-certificate-authority would have to hold the other CA): say so
    // rather than let nodes fail with certificates it will not accept.
    private static void WarnAboutForeignClientSigners(ControllerManagerOptions options, ClusterPki pki, TextWriter error)
    {
        foreach (var signer in Controllers.CertificateSigning.CsrSigningController.SignerNames)
        {
            var ca = options.SignerCertificates.GetValueOrDefault(signer) ?? options.ClusterSigningCertificate;
            if (ca is not null && ca.Thumbprint != pki.CaCertificate.Thumbprint)
            {
                var what = signer == Controllers.Common.CertificateRequests.KubeletServingSigner ? "kubelets' serving certificates" : "client certificates";
                error.WriteLine($"cetus: warning: {signer} certificates are signed by {ca.Subject}, not by the cluster CA this API server trusts for {what} ({Path.Combine(pki.Directory, "ca.crt")}): it will refuse them");
            }
        }
    }

    /// <summary>
    /// Issues a client certificate signed by the cluster CA for <paramref name="user"/> in <paramref name="groups"/>
    /// and writes a kubeconfig with it to DATA-DIR/<paramref name="relativePath"/>; returns the file's path.
    /// </summary>
    public string WriteClientKubeconfig(string relativePath, string user, IEnumerable<string> groups)
    {
        var path = Path.Combine(Settings.DataDir, relativePath);
        var certificate = Pki.IssueClientCertificate(user, groups, ClusterPki.LeafLifetime);
        Kubeconfig.Write(path, ServerUrl, Pki.CaCertificatePem, certificate.CertificatePem, certificate.KeyPem, user: user);
        return path;
    }

    /// <summary>Stops the controllers and the scheduler, then the API server and the datastore.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _components.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }

        foreach (var owned in _owned)
        {
            await owned.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private T Own<T>(T disposable)
        where T : IDisposable
    {
        _disposables.Add(disposable);
        return disposable;
    }
}
