using Cetus.Client.Dynamic;
using Cetus.Client.Events;
using Cetus.Client.Informers;
using Cetus.Client.LeaderElection;
using Cetus.Controllers.Common;
using Cetus.Controllers.Deployment;
using Cetus.Controllers.GarbageCollector;
using Cetus.Controllers.Namespace;
using Cetus.Controllers.ReplicaSet;
using Cetus.Controllers.ServiceAccount;
using k8s;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cetus.Controllers;

/// <summary>What the controller manager runs with.</summary>
public sealed record ControllerManagerOptions
{
    /// <summary>Elect a leader on the Lease kube-system/kube-controller-manager before running controllers (true by default).</summary>
    public bool LeaderElect { get; init; } = true;

    /// <summary>This instance's identity in leader election (host name and a random suffix by default).</summary>
    public string Identity { get; init; } = $"{Environment.MachineName}_{Guid.NewGuid()}";

    /// <summary>Leader election timing.</summary>
    public LeaderElectionTiming Timing { get; init; } = LeaderElectionTiming.Default;

    /// <summary>Workers per controller (kube-controller-manager's --concurrent-deployment-syncs and --concurrent-replicaset-syncs: 5).</summary>
    public int Workers { get; init; } = 5;

    /// <summary>Namespace controller workers (kube-controller-manager's --concurrent-namespace-syncs: 10).</summary>
    public int NamespaceWorkers { get; init; } = 10;

    /// <summary>Garbage collector workers per queue (kube-controller-manager's --concurrent-gc-syncs: 20).</summary>
    public int GarbageCollectorWorkers { get; init; } = 20;

    /// <summary>How often informers replay their caches.</summary>
    public TimeSpan ResyncPeriod { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// List+watches and caches shared with other components of this process (<c>cetus server</c> gives the scheduler
    /// the same); null, the default, keeps the controller manager's own.
    /// </summary>
    public Cetus.Client.Informers.SharedInformerSources? SharedInformers { get; init; }

    /// <summary>
    /// The cluster CA with its private key (kube-controller-manager's --cluster-signing-cert-file and key-file): the
    /// csrsigning controller issues approved certificates of every built-in signer with it, except those
    /// <see cref="SignerCertificates"/> names. Null, and no <see cref="SignerCertificates"/>: the signer does not run.
    /// </summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? ClusterSigningCertificate { get; init; }

    /// <summary>
    /// A CA per signer name (kube-controller-manager's --cluster-signing-kubelet-client-cert-file and the like), in
    /// place of <see cref="ClusterSigningCertificate"/> for that signer.
    /// </summary>
    public IReadOnlyDictionary<string, System.Security.Cryptography.X509Certificates.X509Certificate2> SignerCertificates { get; init; } =
        new Dictionary<string, System.Security.Cryptography.X509Certificates.X509Certificate2>();

    /// <summary>
    /// The CA bundle (PEM) pods verify the API server with (kube-controller-manager's --root-ca-file, by default the CA
    /// of its kubeconfig): the root CA publisher puts it in every namespace's kube-root-ca.crt. Null: the publisher
    /// does not run.
    /// </summary>
    public string? RootCertificateAuthority { get; init; }

    /// <summary>
    /// The longest lifetime of a signed certificate, and its lifetime when the CSR asks for none
    /// (--cluster-signing-duration: one year); <c>spec.expirationSeconds</c> can ask for less.
    /// </summary>
    public TimeSpan ClusterSigningDuration { get; init; } = CertificateSigning.CertificateSigner.DefaultDuration;
}

/// <summary>
/// The controller manager: shared informers, the event recorder, leader election and every controller, all reaching
/// the cluster through one <see cref="IKubernetes"/> client (HTTPS to the API server with the manager's own identity).
/// To add a controller, see docs/adding-a-controller.md: its folder, its constructor call in <see cref="RunControllersAsync"/>.
/// </summary>
public sealed class ControllerManager
{
    /// <summary>The Lease the controller managers elect their leader on.</summary>
    public const string LeaseName = "kube-controller-manager";

    /// <summary>The Lease's namespace.</summary>
    public const string LeaseNamespace = "kube-system";

    private readonly IKubernetes _client;
    private readonly IDynamicClient _dynamic;
    private readonly ControllerManagerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;

    /// <summary>
    /// Creates a manager over a client; the garbage collector and the namespace controller reach every resource
    /// through <paramref name="dynamic"/> (by default a <see cref="DynamicClient"/> over <paramref name="client"/>).
    /// </summary>
    public ControllerManager(IKubernetes client, ControllerManagerOptions? options = null, TimeProvider? time = null, ILoggerFactory? loggers = null, IDynamicClient? dynamic = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _dynamic = dynamic ?? new DynamicClient(client);
        _options = options ?? new ControllerManagerOptions();
        _time = time ?? TimeProvider.System;
        _loggers = loggers ?? NullLoggerFactory.Instance;
    }

    /// <summary>Runs until cancelled: campaigns for leadership (when enabled), then runs the controllers while leading.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!_options.LeaderElect)
        {
            await RunControllersAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        var elector = new LeaderElector(_client, LeaseNamespace, LeaseName, _options.Identity, _options.Timing, _time, _loggers.CreateLogger<LeaderElector>());
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await elector.RunAsync(RunControllersAsync, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task RunControllersAsync(CancellationToken cancellationToken)
    {
        await using var informers = new SharedInformerFactory(_client, _options.ResyncPeriod, _time, _loggers, _options.SharedInformers);
        await using var events = new EventRecorder(_client, "deployment-controller", _time, _loggers.CreateLogger<EventRecorder>());
        await using var rsEvents = new EventRecorder(_client, "replicaset-controller", _time, _loggers.CreateLogger<EventRecorder>());
        var client = new KubernetesControllerClient(_client);

        var replicaSets = new ReplicaSetController(informers.ReplicaSets.Store, informers.Pods.Store, client, rsEvents, _time, _loggers.CreateLogger<ReplicaSetController>());
        replicaSets.Register(informers.ReplicaSets, informers.Pods);
        var deployments = new DeploymentController(informers.Deployments.Store, informers.ReplicaSets.Store, informers.Pods.Store, client, events, _time, _loggers.CreateLogger<DeploymentController>());
        deployments.Register(informers.Deployments, informers.ReplicaSets, informers.Pods);
        await using var disruptionEvents = new EventRecorder(_client, "controllermanager", _time, _loggers.CreateLogger<EventRecorder>());
        var disruption = new Disruption.DisruptionController(informers.PodDisruptionBudgets.Store, informers.Pods.Store, informers.ReplicaSets.Store, informers.Deployments.Store, new Disruption.KubernetesDisruptionClient(_client), disruptionEvents, _time, _loggers.CreateLogger<Disruption.DisruptionController>());
        disruption.Register(informers.PodDisruptionBudgets, informers.Pods);
        var serviceAccounts = new ServiceAccountsController(informers.Namespaces.Store, informers.ServiceAccounts.Store, new KubernetesServiceAccountClient(_client), _time, _loggers.CreateLogger<ServiceAccountsController>());
        serviceAccounts.Register(informers.Namespaces, informers.ServiceAccounts);

        var namespaces = new NamespaceController(informers.Namespaces.Store, new KubernetesNamespaceClient(_client), _dynamic, _time, _loggers.CreateLogger<NamespaceController>());
        namespaces.Register(informers.Namespaces);
        var certificates = new KubernetesCertificateClient(_client);
        var csrApproving = new CertificateApproving.CsrApprovingController(informers.CertificateSigningRequests.Store, certificates, _time, _loggers.CreateLogger<CertificateApproving.CsrApprovingController>());
        csrApproving.Register(informers.CertificateSigningRequests);
        var csrCleaner = new CertificateCleaning.CsrCleanerController(informers.CertificateSigningRequests.Store, certificates, _time, _loggers.CreateLogger<CertificateCleaning.CsrCleanerController>());
        csrCleaner.Register(informers.CertificateSigningRequests);
        CertificateSigning.CsrSigningController? csrSigning = null;
        var signers = CertificateSigning.CsrSigningController.SignerNames
            .Select(name => (Name: name, Ca: _options.SignerCertificates.GetValueOrDefault(name) ?? _options.ClusterSigningCertificate))
            .Where(s => s.Ca is not null)
            .ToDictionary(s => s.Name, s => new CertificateSigning.CertificateSigner(s.Ca!, _options.ClusterSigningDuration, _time));
        if (signers.Count > 0)
        {
            csrSigning = new CertificateSigning.CsrSigningController(informers.CertificateSigningRequests.Store, certificates, signers, _time, _loggers.CreateLogger<CertificateSigning.CsrSigningController>());
            csrSigning.Register(informers.CertificateSigningRequests);
        }

        RootCaCertPublisher.RootCaCertPublisher? rootCaPublisher = null;
        if (_options.RootCertificateAuthority is { } rootCa)
        {
            rootCaPublisher = new RootCaCertPublisher.RootCaCertPublisher(informers.ConfigMaps.Store, new RootCaCertPublisher.KubernetesConfigMapClient(_client), rootCa, _time, _loggers.CreateLogger<RootCaCertPublisher.RootCaCertPublisher>());
            rootCaPublisher.Register(informers.Namespaces, informers.ConfigMaps);
        }

        var garbageCollector = new GarbageCollector.GarbageCollector(_dynamic, new ResourceMapper(), _time, _options.ResyncPeriod, _loggers.CreateLogger<GarbageCollector.GarbageCollector>());

        informers.Start();
        await informers.WaitForCacheSyncAsync(cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(
            replicaSets.RunAsync(_options.Workers, cancellationToken),
            deployments.RunAsync(_options.Workers, cancellationToken),
            serviceAccounts.RunAsync(1, cancellationToken),
            disruption.RunAsync(1, cancellationToken),
            namespaces.RunAsync(_options.NamespaceWorkers, cancellationToken),
            csrApproving.RunAsync(_options.Workers, cancellationToken),
            csrCleaner.RunAsync(1, cancellationToken),
            csrSigning?.RunAsync(_options.Workers, cancellationToken) ?? Task.CompletedTask,
            rootCaPublisher?.RunAsync(1, cancellationToken) ?? Task.CompletedTask,
            garbageCollector.RunAsync(_options.GarbageCollectorWorkers, cancellationToken)).ConfigureAwait(false);
    }
}
