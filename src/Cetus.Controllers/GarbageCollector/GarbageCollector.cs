using Cetus.Client.Dynamic;
using Cetus.Client.Informers;
using Cetus.Client.WorkQueues;
using Cetus.Controllers.Common;
using Microsoft.Extensions.Logging;

namespace Cetus.Controllers.GarbageCollector;

/// <summary>
/// The garbage collector (pkg/controller/garbagecollector): watches the metadata of every resource that supports
/// list, watch and delete (found through discovery, rediscovered every 30 s), keeps the <see cref="DependencyGraph"/>
/// of owner references, and acts on what the graph queues: deletes dependents whose owners are gone (background),
/// holds an owner with the foregroundDeletion finalizer until its blocking dependents are gone (foreground), and
/// strips owner references from the dependents of an owner with the orphan finalizer (orphan).
/// </summary>
public sealed partial class GarbageCollector
{
    /// <summary>The controller's name.</summary>
    public const string Name = "garbage-collector-controller";

    /// <summary>How often discovery is read again for new resources (upstream's 30 s resync of monitors).</summary>
    public static readonly TimeSpan RediscoveryPeriod = TimeSpan.FromSeconds(30);

    // Resources upstream never garbage collects.
    private static readonly HashSet<(string Group, string Resource)> Ignored = [(string.Empty, "events"), ("events.k8s.io", "events")];

    private readonly IDynamicClient _client;
    private readonly ResourceMapper _mapper;
    private readonly TimeProvider _time;
    private readonly TimeSpan _resync;
    private readonly ILogger _logger;
    // By group, version and resource: a rediscovered resource keeps its monitor.
    private readonly Dictionary<(string Group, string Version, string Resource), SharedInformer<PartialObject>> _monitors = [];

    /// <summary>Creates the collector.</summary>
    public GarbageCollector(IDynamicClient client, ResourceMapper mapper, TimeProvider time, TimeSpan resyncPeriod, ILogger logger)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _mapper = mapper ?? throw new ArgumentNullException(nameof(mapper));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _resync = resyncPeriod;
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        AttemptToDelete = new QueueWorker(Name + " attemptToDelete", new RateLimitingQueue(MaxOfRateLimiter.Default(time), time), AttemptToDeleteAsync, logger);
        AttemptToOrphan = new QueueWorker(Name + " attemptToOrphan", new RateLimitingQueue(MaxOfRateLimiter.Default(time), time), AttemptToOrphanAsync, logger);
        Graph = new DependencyGraph(AttemptToDelete.Queue.Add, AttemptToOrphan.Queue.Add);
    }

    /// <summary>The dependency graph.</summary>
    public DependencyGraph Graph { get; }

    /// <summary>The queue of node uids to consider deleting (keys are object uids).</summary>
    public QueueWorker AttemptToDelete { get; }

    /// <summary>The queue of owner uids whose dependents must be orphaned.</summary>
    public QueueWorker AttemptToOrphan { get; }

    /// <summary>True for resources the collector watches: list, watch and delete, and not events.</summary>
    public static bool Collectable(ApiResource resource) =>
        resource.Supports("list", "watch", "delete") && !Ignored.Contains((resource.Group, resource.Resource));

    /// <summary>
    /// Runs until cancelled: discovers, starts a monitor per collectable resource, waits until they have all listed
    /// once (the graph is complete), then runs the workers while rediscovering periodically.
    /// </summary>
    public async Task RunAsync(int workers, CancellationToken cancellationToken)
    {
        try
        {
            await FirstDiscoveryAsync(cancellationToken).ConfigureAwait(false);
            await WaitForMonitorsAsync(cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("{Controller}: all resource monitors have synced; {Nodes} objects in the graph", Name, Graph.Count);
            await Task.WhenAll(
                AttemptToDelete.RunAsync(workers, cancellationToken),
                AttemptToOrphan.RunAsync(workers, cancellationToken),
                RediscoverAsync(cancellationToken)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            await StopMonitorsAsync().ConfigureAwait(false);
        }
    }

    /// <summary>How many resources are monitored.</summary>
    internal int MonitorCount => _monitors.Count;

    /// <summary>
    /// Reads discovery, starts a monitor for each new collectable resource and stops those of resources no longer
    /// served (a deleted CustomResourceDefinition), as upstream's collector does.
    /// </summary>
    internal async Task SyncMonitorsAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<ApiResource> resources;
        try
        {
            resources = await _client.DiscoverAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PartialDiscoveryException e)
        {
            // Work with the groups that answered; those that did not keep what was known of them (and their monitors).
            _logger.LogWarning("{Controller}: {Error}", Name, e.Message);
            var failedGroups = e.FailedGroups.Keys.Select(k => k[..k.LastIndexOf('/')]).ToHashSet(StringComparer.Ordinal);
            resources = [.. e.Resources, .. _mapper.Resources.Where(r => failedGroups.Contains(r.Group))];
        }

        _mapper.Update(resources);
        var collectable = resources.Where(Collectable).ToList();
        var current = collectable.Select(r => (r.Group, r.Version, r.Resource)).ToHashSet();
        foreach (var gone in _monitors.Keys.Where(k => !current.Contains(k)).ToList())
        {
            var monitor = _monitors[gone];
            _monitors.Remove(gone);
            _logger.LogInformation("{Controller}: {Resource} is no longer served; its monitor stops", Name, gone.Group.Length == 0 ? gone.Resource : $"{gone.Resource}.{gone.Group}");
            await monitor.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var resource in collectable)
        {
            if (_monitors.ContainsKey((resource.Group, resource.Version, resource.Resource)))
            {
                continue;
            }

            var informer = new SharedInformer<PartialObject>(new DynamicListWatch(_client, resource), _resync, _time, _logger);
            informer.AddEventHandler(new ResourceEventHandler<PartialObject>
            {
                OnAdd = item => Graph.OnUpsert(null, item),
                OnUpdate = (old, item) => Graph.OnUpsert(old, item),
                OnDelete = deleted => Graph.OnDelete(deleted.Object),
            });
            _monitors[(resource.Group, resource.Version, resource.Resource)] = informer;
            informer.Start();
        }
    }

    // The collector cannot start without knowing the resources: retry discovery (1 s doubling to 30 s) until it works.
    private async Task FirstDiscoveryAsync(CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (true)
        {
            try
            {
                await SyncMonitorsAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _logger.LogWarning("{Controller}: discovery failed, retrying in {Backoff}: {Error}", Name, backoff, e.Message);
            }

            await Task.Delay(backoff, _time, cancellationToken).ConfigureAwait(false);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, RediscoveryPeriod.Ticks));
        }
    }

    private async Task WaitForMonitorsAsync(CancellationToken cancellationToken)
    {
        foreach (var monitor in _monitors.Values.ToList())
        {
            await monitor.WaitForSyncAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RediscoverAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(RediscoveryPeriod, _time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await SyncMonitorsAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _logger.LogWarning("{Controller}: discovery failed, keeping the current monitors: {Error}", Name, e.Message);
            }
        }
    }

    internal async Task StopMonitorsAsync()
    {
        foreach (var monitor in _monitors.Values)
        {
            await monitor.DisposeAsync().ConfigureAwait(false);
        }

        _monitors.Clear();
    }
}
