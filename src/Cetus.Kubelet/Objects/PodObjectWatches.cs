using Cetus.Api.Resources.Pods;
using Cetus.Client.Informers;
using Cetus.Kubelet.Api;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cetus.Kubelet.Objects;

/// <summary>How to list and watch one config map or one secret by namespace and name.</summary>
/// <param name="ConfigMaps">A config map's list+watch.</param>
/// <param name="Secrets">A secret's list+watch.</param>
public sealed record PodObjectListWatches(Func<string, string, IListWatch<V1ConfigMap>> ConfigMaps, Func<string, string, IListWatch<V1Secret>> Secrets)
{
    /// <summary>Field-selector (metadata.name=NAME) list+watches through <paramref name="client"/>, as upstream's kubelet makes them.</summary>
    public static PodObjectListWatches For(IKubernetes client) => new(
        (ns, name) => ListWatches.ConfigMap(client, ns, name),
        (ns, name) => ListWatches.Secret(client, ns, name));
}

/// <summary>
/// The config maps and secrets of the pods bound to a node, each kept by its own watch, as upstream's kubelet does with
/// its default ConfigMapAndSecretChangeDetectionStrategy Watch (pkg/kubelet/util/manager watch_based_manager.go):
/// <see cref="RegisterPod"/> when a pod is added or changes (its references: volumes, projected sources, env and
/// envFrom, image pull secrets — <see cref="PodReferences"/>), <see cref="UnregisterPod"/> when it goes; an object's
/// watch starts with its first referencing pod and stops with its last. Reads come from memory; an object no registered
/// pod references is read through the fallback reader (a GET). Unlike upstream, which lets the next periodic
/// sync notice, every change of a watched object raises <see cref="PodChanged"/> for each pod referencing it, so its
/// volumes are rewritten at once. As upstream, every minute the watches not read for 5 minutes are stopped (an object
/// only used by env variables is read when a container is created) and the next read watches again; an immutable
/// object is not watched once read.
/// </summary>
public sealed class PodObjectWatches : IPodObjectReader, IAsyncDisposable
{
    private readonly IPodObjectReader _fallback;
    private readonly ILogger _logger;
    private readonly ObjectCache<V1ConfigMap> _configMaps;
    private readonly ObjectCache<V1Secret> _secrets;
    private readonly Dictionary<string, Registration> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<(bool Secret, string Namespace, string Name), HashSet<string>> _referrers = [];
    private readonly ITimer _recycler;

    /// <summary>Creates the watches' manager; nothing is watched until a pod registers.</summary>
    public PodObjectWatches(PodObjectListWatches listWatches, IPodObjectReader fallback, TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(listWatches);
        _fallback = fallback ?? throw new ArgumentNullException(nameof(fallback));
        _logger = logger ?? NullLogger.Instance;
        time ??= TimeProvider.System;
        _configMaps = new ObjectCache<V1ConfigMap>("configmap", listWatches.ConfigMaps, c => c.Immutable == true, (ns, name) => Notify(false, ns, name), time, _logger);
        _secrets = new ObjectCache<V1Secret>("secret", listWatches.Secrets, s => s.Immutable == true, (ns, name) => Notify(true, ns, name), time, _logger);
        _recycler = time.CreateTimer(_ => RecycleIdle(), null, RecycleInterval, RecycleInterval);
    }

    /// <summary>How often idle watches are looked for (upstream: every minute).</summary>
    public static TimeSpan RecycleInterval { get; } = TimeSpan.FromMinutes(1);

    /// <summary>A watched object changed (created, updated or deleted): the uid of each pod referencing it.</summary>
    public event Action<string>? PodChanged;

    /// <summary>The config maps watched now (tests, metrics).</summary>
    public int ConfigMapWatches => _configMaps.Watching;

    /// <summary>The secrets watched now (tests, metrics).</summary>
    public int SecretWatches => _secrets.Watching;

    /// <summary>Stops the watches not read for <see cref="ObjectCache{T}.MaxIdleTime"/>; returns how many (also run every <see cref="RecycleInterval"/>).</summary>
    public int RecycleIdle() => _configMaps.RecycleIdle() + _secrets.RecycleIdle();

    /// <summary>Registers the pod's references (again, after a change): watches start for new ones and stop for dropped ones.</summary>
    public void RegisterPod(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var uid = pod.Metadata?.Uid;
        var ns = pod.Metadata?.NamespaceProperty;
        if (string.IsNullOrEmpty(uid) || string.IsNullOrEmpty(ns))
        {
            return;
        }

        var registration = new Registration(ns, PodReferences.ConfigMaps(pod), PodReferences.Secrets(pod));
        lock (_pods)
        {
            _pods.TryGetValue(uid, out var previous);
            if (previous is not null && previous.Namespace == ns && previous.ConfigMaps.SetEquals(registration.ConfigMaps) && previous.Secrets.SetEquals(registration.Secrets))
            {
                return;
            }

            // New references first, then the old ones go: an object referenced before and after keeps its watch.
            _pods[uid] = registration;
            Reference(uid, registration, add: true);
            if (previous is not null)
            {
                var dropped = previous.Namespace != ns ? previous
                    : previous with { ConfigMaps = [.. previous.ConfigMaps.Except(registration.ConfigMaps)], Secrets = [.. previous.Secrets.Except(registration.Secrets)] };
                Reference(uid, dropped, add: false);
            }
        }
    }

    /// <summary>The pod is gone: its references go, and the watches no other pod needs stop.</summary>
    public void UnregisterPod(string podUid)
    {
        lock (_pods)
        {
            if (_pods.Remove(podUid, out var registration))
            {
                Reference(podUid, registration, add: false);
            }
        }
    }

    /// <inheritdoc/>
    public async Task<V1ConfigMap?> GetConfigMapAsync(string ns, string name, CancellationToken cancellationToken)
    {
        var (registered, value) = await _configMaps.GetAsync(ns, name, cancellationToken).ConfigureAwait(false);
        if (registered)
        {
            return value;
        }

        _logger.LogDebug("configmap {Namespace}/{Name} is not referenced by a registered pod: read from the API server", ns, name);
        return await _fallback.GetConfigMapAsync(ns, name, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<V1Secret?> GetSecretAsync(string ns, string name, CancellationToken cancellationToken)
    {
        var (registered, value) = await _secrets.GetAsync(ns, name, cancellationToken).ConfigureAwait(false);
        if (registered)
        {
            return value;
        }

        _logger.LogDebug("secret {Namespace}/{Name} is not referenced by a registered pod: read from the API server", ns, name);
        return await _fallback.GetSecretAsync(ns, name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops every watch.</summary>
    public async ValueTask DisposeAsync()
    {
        await _recycler.DisposeAsync().ConfigureAwait(false);
        lock (_pods)
        {
            _pods.Clear();
            _referrers.Clear();
        }

        await _configMaps.StopAllAsync().ConfigureAwait(false);
        await _secrets.StopAllAsync().ConfigureAwait(false);
    }

    // Under the lock: one reference per pod and object.
    private void Reference(string uid, Registration registration, bool add)
    {
        foreach (var (secret, names) in new[] { (false, registration.ConfigMaps), (true, registration.Secrets) })
        {
            foreach (var name in names)
            {
                var key = (secret, registration.Namespace, name);
                if (add)
                {
                    if (!_referrers.TryGetValue(key, out var uids))
                    {
                        _referrers[key] = uids = new HashSet<string>(StringComparer.Ordinal);
                    }

                    if (uids.Add(uid))
                    {
                        (secret ? (Action<string, string>)_secrets.AddReference : _configMaps.AddReference)(registration.Namespace, name);
                    }
                }
                else if (_referrers.TryGetValue(key, out var uids) && uids.Remove(uid))
                {
                    if (uids.Count == 0)
                    {
                        _referrers.Remove(key);
                    }

                    (secret ? (Action<string, string>)_secrets.DeleteReference : _configMaps.DeleteReference)(registration.Namespace, name);
                }
            }
        }
    }

    private void Notify(bool secret, string ns, string name)
    {
        string[] uids;
        lock (_pods)
        {
            uids = _referrers.TryGetValue((secret, ns, name), out var referrers) ? [.. referrers] : [];
        }

        foreach (var uid in uids)
        {
            PodChanged?.Invoke(uid);
        }
    }

    private sealed record Registration(string Namespace, HashSet<string> ConfigMaps, HashSet<string> Secrets);
}
