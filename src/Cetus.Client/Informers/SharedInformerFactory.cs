using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Cetus.Client.Informers;

/// <summary>
/// Hands out one <see cref="SharedInformer{T}"/> per resource type, so that every controller shares one list+watch
/// and one cache per type. Start it after every controller has asked for its informers. Factories of components in
/// one process may share their list+watches and caches too (<see cref="SharedInformerSources"/>).
/// </summary>
public sealed class SharedInformerFactory : IAsyncDisposable
{
    private readonly IKubernetes _client;
    private readonly TimeSpan _resync;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory? _loggers;
    private readonly SharedInformerSources? _sources;
    private readonly Dictionary<Type, IAsyncDisposable> _informers = [];
    private readonly List<Action> _starts = [];
    private readonly List<Func<CancellationToken, Task>> _syncs = [];

    /// <summary>
    /// Creates a factory over a client; with <paramref name="sources"/>, its informers join the list+watches other
    /// factories over the same sources run (or start them).
    /// </summary>
    public SharedInformerFactory(IKubernetes client, TimeSpan resyncPeriod, TimeProvider? time = null, ILoggerFactory? loggers = null, SharedInformerSources? sources = null)
    {
        _sources = sources;
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _resync = resyncPeriod;
        _time = time ?? TimeProvider.System;
        _loggers = loggers;
    }

    /// <summary>The shared pod informer.</summary>
    public SharedInformer<V1Pod> Pods => For(() => ListWatches.Pods(_client));

    /// <summary>The shared node informer.</summary>
    public SharedInformer<V1Node> Nodes => For(() => ListWatches.Nodes(_client));

    /// <summary>The shared ReplicaSet informer.</summary>
    public SharedInformer<V1ReplicaSet> ReplicaSets => For(() => ListWatches.ReplicaSets(_client));

    /// <summary>The shared Deployment informer.</summary>
    public SharedInformer<V1Deployment> Deployments => For(() => ListWatches.Deployments(_client));

    /// <summary>The shared PodDisruptionBudget informer.</summary>
    public SharedInformer<V1PodDisruptionBudget> PodDisruptionBudgets => For(() => ListWatches.PodDisruptionBudgets(_client));

    /// <summary>The shared namespace informer.</summary>
    public SharedInformer<V1Namespace> Namespaces => For(() => ListWatches.Namespaces(_client));

    /// <summary>The shared ConfigMap informer.</summary>
    public SharedInformer<V1ConfigMap> ConfigMaps => For(() => ListWatches.ConfigMaps(_client));

    /// <summary>The shared ServiceAccount informer.</summary>
    public SharedInformer<V1ServiceAccount> ServiceAccounts => For(() => ListWatches.ServiceAccounts(_client));

    /// <summary>The shared CertificateSigningRequest informer.</summary>
    public SharedInformer<V1CertificateSigningRequest> CertificateSigningRequests => For(() => ListWatches.CertificateSigningRequests(_client));

    /// <summary>The shared informer of <typeparamref name="T"/>, created from <paramref name="listWatch"/> on first use.</summary>
    public SharedInformer<T> For<T>(Func<IListWatch<T>> listWatch)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(listWatch);
        lock (_informers)
        {
            if (_informers.TryGetValue(typeof(T), out var existing))
            {
                return (SharedInformer<T>)existing;
            }

            var logger = _loggers?.CreateLogger("Cetus.Client.Informer." + typeof(T).Name);
            var informer = _sources is null
                ? new SharedInformer<T>(listWatch(), _resync, _time, logger)
                : new SharedInformer<T>(_sources.For(listWatch, _time, logger), _resync, _time, logger);
            _informers[typeof(T)] = informer;
            _starts.Add(informer.Start);
            _syncs.Add(informer.WaitForSyncAsync);
            return informer;
        }
    }

    /// <summary>Starts every informer asked for so far.</summary>
    public void Start()
    {
        lock (_informers)
        {
            _starts.ForEach(start => start());
        }
    }

    /// <summary>Waits until every started informer has listed once.</summary>
    public Task WaitForCacheSyncAsync(CancellationToken cancellationToken)
    {
        lock (_informers)
        {
            return Task.WhenAll(_syncs.Select(sync => sync(cancellationToken)));
        }
    }

    /// <summary>Stops every informer.</summary>
    public async ValueTask DisposeAsync()
    {
        List<IAsyncDisposable> informers;
        lock (_informers)
        {
            informers = [.. _informers.Values];
        }

        foreach (var informer in informers)
        {
            await informer.DisposeAsync().ConfigureAwait(false);
        }
    }
}
