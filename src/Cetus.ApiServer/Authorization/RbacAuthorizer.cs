using Cetus.Api.Scheme;
using Cetus.ApiServer.Watch;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Cetus.ApiServer.Authorization;

/// <summary>
/// The authorizer chain, as kube-apiserver's --authorization-mode=Node,RBAC: node identities first go through the
/// <see cref="NodeAuthorizer"/>; then RBAC decides each request from an in-memory <see cref="RbacPolicy"/> built from the watch cache,
/// never from the datastore. A watch on each RBAC resource marks the policy stale; the next decision rebuilds it
/// (a handful of objects, once per change), so between changes a decision costs no allocation beyond the visit.
/// </summary>
public sealed partial class RbacAuthorizer : IAsyncDisposable
{
    private const string Group = "rbac.authorization.k8s.io";

    private readonly WatchCache _cache;
    private readonly ResourceDefinition[] _definitions;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private int _disposed;
    private readonly Lock _gate = new();
    private readonly List<Task> _feeds = [];
    private long _changes = 1;
    private long _built;
    private RbacPolicy _policy = RbacPolicy.Empty;
    private readonly NodeAuthorizer _nodes;

    /// <summary>An authorizer over the RBAC objects of <paramref name="cache"/>.</summary>
    public RbacAuthorizer(WatchCache cache, ResourceRegistry registry, ILogger<RbacAuthorizer> logger)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _cache = cache;
        _logger = logger;
        _nodes = new NodeAuthorizer(cache, registry);
        _definitions = new[] { "roles", "clusterroles", "rolebindings", "clusterrolebindings" }
            .Select(plural => registry.Find(Group, "v1", plural) ?? throw new InvalidOperationException($"{plural} is not registered"))
            .ToArray();
    }

    /// <summary>Raised (on a background thread) after ClusterRoles changed, for the aggregation writer.</summary>
    public event Action? ClusterRolesChanged;

    /// <summary>The current policy, rebuilt when an RBAC object changed since the last call.</summary>
    public RbacPolicy Policy
    {
        get
        {
            var changes = Interlocked.Read(ref _changes);
            if (changes == Interlocked.Read(ref _built))
            {
                return _policy;
            }

            lock (_gate)
            {
                changes = Interlocked.Read(ref _changes);
                if (changes != _built)
                {
                    _policy = Build();
                    Interlocked.Exchange(ref _built, changes);
                }

                return _policy;
            }
        }
    }

    /// <summary>Starts following the cache (call after the cache started).</summary>
    public void Start()
    {
        foreach (var definition in _definitions)
        {
            _feeds.Add(Task.Run(() => FollowAsync(definition, _stopping.Token), CancellationToken.None));
        }
    }

    /// <summary>Decides a request: allowed, or denied with the reason kube-apiserver appends to its message.</summary>
    public (bool Allowed, string Reason) Authorize(RequestAttributes request) =>
        _nodes.Decide(request) ?? Policy.Authorize(request);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // The server disposes it on stop, and the service container again when it is disposed.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_feeds).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stopping.Dispose();
    }

    private RbacPolicy Build() => new(
        Items<V1Role>(_definitions[0]),
        Items<V1ClusterRole>(_definitions[1]),
        Items<V1RoleBinding>(_definitions[2]),
        Items<V1ClusterRoleBinding>(_definitions[3]));

    private IEnumerable<T> Items<T>(ResourceDefinition definition) => _cache.List(definition, string.Empty).Items.Select(i => (T)i.Item);

    private async Task FollowAsync(ResourceDefinition definition, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var watcher = _cache.Watch(definition, string.Empty, 0);
                // Whatever changed between the last policy and this watch's start must be seen too.
                Interlocked.Increment(ref _changes);
                while (await watcher.Events.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    while (watcher.Events.TryRead(out _))
                    {
                    }

                    Interlocked.Increment(ref _changes);
                    if (definition.Plural == "clusterroles")
                    {
                        ClusterRolesChanged?.Invoke();
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Errors.ApiException e)
            {
                LogWatchFailed(definition.Plural, e.Message);
            }

            // The watcher ended (it fell behind, or the cache reloaded): watch again from now.
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "the RBAC watch on {Resource} failed ({Reason}); restarting")]
    private partial void LogWatchFailed(string resource, string reason);
}
