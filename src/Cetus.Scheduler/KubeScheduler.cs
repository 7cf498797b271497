using Cetus.Client;
using Cetus.Client.Events;
using Cetus.Client.Informers;
using Cetus.Client.LeaderElection;
using Cetus.Scheduler.Cache;
using Cetus.Scheduler.Config;
using Cetus.Scheduler.Framework;
using Cetus.Scheduler.Queue;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cetus.Scheduler;

/// <summary>What the scheduler runs with.</summary>
public sealed record KubeSchedulerOptions
{
    /// <summary>Elect a leader on the Lease kube-system/kube-scheduler before scheduling (true by default).</summary>
    public bool LeaderElect { get; init; } = true;

    /// <summary>This instance's identity in leader election.</summary>
    public string Identity { get; init; } = $"{Environment.MachineName}_{Guid.NewGuid()}";

    /// <summary>Leader election timing.</summary>
    public LeaderElectionTiming Timing { get; init; } = LeaderElectionTiming.Default;

    /// <summary>The profiles (from <c>--config</c>); null means Kubernetes' default profile.</summary>
    public SchedulerConfiguration? Configuration { get; init; }

    /// <summary>How often informers replay their caches.</summary>
    public TimeSpan ResyncPeriod { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// List+watches and caches shared with other components of this process (<c>cetus server</c> gives the controller
    /// manager the same); null, the default, keeps the scheduler's own.
    /// </summary>
    public Cetus.Client.Informers.SharedInformerSources? SharedInformers { get; init; }

    /// <summary>
    /// How long an assumed pod whose binding finished may wait to be seen bound before the cache drops it (upstream
    /// durationToExpireAssumedPod); 0, the default as upstream, never expires it.
    /// </summary>
    public TimeSpan AssumedPodTtl { get; init; } = SchedulerCache.DefaultAssumedPodTtl;

    /// <summary>Where the decisions of recent scheduling attempts are kept (<c>cetus explain pod</c>); null keeps none.</summary>
    public Decisions.SchedulingDecisions? Decisions { get; init; }

    /// <summary>
    /// Where this scheduler serves <see cref="Decisions"/> (a scheduler run apart): while leading, it publishes the
    /// address and the serving certificate's SHA-256 on its Lease (<see cref="Cetus.Api.Scheme.SchedulerEndpoint"/>)
    /// so that the API server proxies <c>cetus explain pod</c> to it. Null publishes nothing.
    /// </summary>
    public (Uri Url, string CertificateSha256)? DecisionsEndpoint { get; init; }
}

/// <summary>
/// The scheduler as a component: informers on pods and nodes, the scheduling queue and loop, leader election, all
/// over one <see cref="IKubernetes"/> client (HTTPS to the API server with the identity system:kube-scheduler).
/// </summary>
public sealed class KubeScheduler
{
    /// <summary>The Lease the schedulers elect their leader on.</summary>
    public const string LeaseName = "kube-scheduler";

    /// <summary>The Lease's namespace.</summary>
    public const string LeaseNamespace = "kube-system";

    private readonly IKubernetes _client;
    private readonly KubeSchedulerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;

    /// <summary>Creates a scheduler over a client; the configuration is checked at once (unknown plugins throw).</summary>
    public KubeScheduler(IKubernetes client, KubeSchedulerOptions? options = null, TimeProvider? time = null, ILoggerFactory? loggers = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _options = options ?? new KubeSchedulerOptions();
        _time = time ?? TimeProvider.System;
        _loggers = loggers ?? NullLoggerFactory.Instance;
        _ = ProfileBuilder.Build(_options.Configuration, PluginRegistry.InTree(), new PluginContext(new KubernetesSchedulerClient(client)));
    }

    /// <summary>Checks a configuration: profile names, plugin names, extension points, weights (throws <see cref="InvalidOperationException"/>).</summary>
    public static void Validate(SchedulerConfiguration configuration) =>
        _ = ProfileBuilder.Build(configuration, PluginRegistry.InTree(), new PluginContext(new NoClient()));

    /// <summary>Runs until cancelled: campaigns for leadership (when enabled), then schedules while leading.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!_options.LeaderElect)
        {
            await ScheduleAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        var elector = new LeaderElector(_client, LeaseNamespace, LeaseName, _options.Identity, _options.Timing, _time, _loggers.CreateLogger<LeaderElector>());
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await elector.RunAsync(ScheduleAsync, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task ScheduleAsync(CancellationToken cancellationToken)
    {
        if (_options.LeaderElect && _options.DecisionsEndpoint is { } endpoint)
        {
            await PublishDecisionsEndpointAsync(endpoint.Url, endpoint.CertificateSha256, cancellationToken).ConfigureAwait(false);
        }

        var client = new KubernetesSchedulerClient(_client);
        await using var informers = new SharedInformerFactory(_client, _options.ResyncPeriod, _time, _loggers, _options.SharedInformers);
        var namespaces = informers.For(() => ListWatches.Namespaces(_client));
        var defaultSelector = new DefaultSelector(
            informers.For(() => ListWatches.Services(_client)).Store,
            informers.ReplicaSets.Store);
        var pdbs = informers.PodDisruptionBudgets;
        var profiles = ProfileBuilder.Build(_options.Configuration, PluginRegistry.InTree(), new PluginContext(client, ns => namespaces.Store.Get(ns)?.Metadata?.Labels, defaultSelector.For, pdbs.Store.List, new WaitingPods(_time)));
        await using var events = new EventRecorder(_client, profiles[0].SchedulerName, _time, _loggers.CreateLogger<EventRecorder>());
        var pluginEvents = profiles.SelectMany(p => p.AllPlugins).OfType<IEnqueueExtensions>()
            .GroupBy(p => p.Name).ToDictionary(g => g.Key, g => g.First().EventsToRegister(), StringComparer.Ordinal);
        var byName = profiles.ToDictionary(p => p.SchedulerName, StringComparer.Ordinal);
        var nodes = informers.Nodes;
        var pods = informers.Pods;
        var queue = new SchedulingQueue(
            profiles[0].QueueSort.Less,
            pod => byName.TryGetValue(string.IsNullOrEmpty(pod.Spec?.SchedulerName) ? SchedulerDefaults.SchedulerName : pod.Spec.SchedulerName, out var p) ? p.PreEnqueue : [],
            pluginEvents,
            _time,
            new Nominator(key => pods.Store.Get(key)));
        var scheduler = new Scheduler(profiles, new SchedulerCache(_options.AssumedPodTtl, _time), queue, client, events, key => pods.Store.Get(key), _time, _loggers.CreateLogger<Scheduler>(), decisions: _options.Decisions);

        // Every node first, then the pods: pods found by the first list meet their nodes. The pod handler joins once
        // the caches are filled and gets an add for each cached pod (under the informer's lock: nothing is missed),
        // also when the pod cache is shared with the controller manager and was filled long before.
        nodes.AddEventHandler(new ResourceEventHandler<V1Node> { OnAdd = scheduler.OnNodeAdd, OnUpdate = scheduler.OnNodeUpdate, OnDelete = scheduler.OnNodeDelete });
        informers.Start();
        await informers.WaitForCacheSyncAsync(cancellationToken).ConfigureAwait(false);
        pods.AddEventHandler(new ResourceEventHandler<V1Pod> { OnAdd = scheduler.OnPodAdd, OnUpdate = scheduler.OnPodUpdate, OnDelete = scheduler.OnPodDelete });
        await scheduler.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    // The leader says where its decisions are; the holder annotation lets the API server ignore an earlier leader's.
    // An update, not a patch: system:kube-scheduler may only get and update its Lease (as upstream's role).
    private async Task PublishDecisionsEndpointAsync(Uri url, string certificateSha256, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var lease = await _client.CoordinationV1.ReadNamespacedLeaseAsync(LeaseName, LeaseNamespace, cancellationToken: cancellationToken).ConfigureAwait(false);
                var annotations = lease.Metadata.Annotations ??= new Dictionary<string, string>();
                annotations[Cetus.Api.Scheme.SchedulerEndpoint.HolderAnnotation] = _options.Identity;
                annotations[Cetus.Api.Scheme.SchedulerEndpoint.UrlAnnotation] = url.ToString().TrimEnd('/');
                annotations[Cetus.Api.Scheme.SchedulerEndpoint.CertificateAnnotation] = certificateSha256;
                await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, LeaseName, LeaseNamespace, cancellationToken: cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict && attempt < 5)
            {
                // The elector renewed meanwhile: read again.
            }
            catch (Exception e) when (e is k8s.Autorest.HttpOperationException or HttpRequestException)
            {
                // Scheduling goes on; only explain is unavailable until the next leadership.
                _loggers.CreateLogger<KubeScheduler>().LogWarning("could not publish the decisions endpoint on lease {Namespace}/{Name}: {Error}", LeaseNamespace, LeaseName, e.Message);
                return;
            }
        }
    }

    private sealed class NoClient : ISchedulerClient
    {
        public Task BindAsync(V1Pod pod, string nodeName, CancellationToken cancellationToken) => throw new InvalidOperationException("validation only");

        public Task SetPodScheduledConditionAsync(V1Pod pod, V1PodCondition condition, CancellationToken cancellationToken) => throw new InvalidOperationException("validation only");

        public Task SetNominatedNodeNameAsync(V1Pod pod, string? nodeName, CancellationToken cancellationToken) => throw new InvalidOperationException("validation only");

        public Task DeletePodAsync(V1Pod pod, CancellationToken cancellationToken) => throw new InvalidOperationException("validation only");
    }
}
