using Cetus.Cri;
using Cetus.Cri.V1;

namespace Cetus.Kubelet.Pods;

/// <summary>A pod as the runtime holds it: found by the pod-uid label of its sandboxes and containers.</summary>
/// <param name="Uid">The pod's uid.</param>
/// <param name="Namespace">The pod's namespace (from the labels).</param>
/// <param name="Name">The pod's name (from the labels).</param>
/// <param name="States">Every sandbox and container id with its state, e.g. "sandbox/ID" → "SandboxReady".</param>
public sealed record RuntimePod(string Uid, string Namespace, string Name, IReadOnlyDictionary<string, string> States)
{
    /// <summary>True when the two hold the same sandboxes and containers in the same states.</summary>
    public bool SameStates(RuntimePod? other) =>
        other is not null && other.States.Count == States.Count && States.All(s => other.States.TryGetValue(s.Key, out var state) && state == s.Value);
}

/// <summary>
/// The pod lifecycle event generator (Kubernetes' generic PLEG): relists the runtime (ListPodSandbox +
/// ListContainers, two calls whatever the number of pods) every <see cref="RelistPeriod"/>, compares with the previous
/// relist and reports the pods whose sandboxes or containers appeared, changed state or disappeared, so the kubelet
/// re-syncs them at once (a container that exits is noticed within a second, not at the next API change).
/// </summary>
public sealed class PodLifecycleEventGenerator(IRuntimeService runtime)
{
    /// <summary>How often the runtime is relisted (the kubelet's genericPlegRelistPeriod).</summary>
    public static readonly TimeSpan RelistPeriod = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private Dictionary<string, RuntimePod> _current = [];
    private bool _listed;

    /// <summary>The pods of the last relist, by uid.</summary>
    public IReadOnlyDictionary<string, RuntimePod> Current
    {
        get
        {
            lock (_lock)
            {
                return _current;
            }
        }
    }

    /// <summary>
    /// Lists the runtime and returns the pods that changed since the previous relist (every pod the first time);
    /// a pod gone from the runtime is returned with no states.
    /// </summary>
    public async Task<IReadOnlyList<RuntimePod>> RelistAsync(CancellationToken cancellationToken)
    {
        var sandboxes = await runtime.ListPodSandboxAsync(null, cancellationToken).ConfigureAwait(false);
        var containers = await runtime.ListContainersAsync(null, cancellationToken).ConfigureAwait(false);
        var builders = new Dictionary<string, (string Namespace, string Name, Dictionary<string, string> States)>(StringComparer.Ordinal);
        foreach (var sandbox in sandboxes)
        {
            if (Entry(builders, sandbox.Labels) is { } states)
            {
                states["sandbox/" + sandbox.Id] = sandbox.State.ToString();
            }
        }

        foreach (var container in containers)
        {
            if (Entry(builders, container.Labels) is { } states)
            {
                states["container/" + container.Id] = container.State.ToString();
            }
        }

        var next = builders.ToDictionary(b => b.Key, b => new RuntimePod(b.Key, b.Value.Namespace, b.Value.Name, b.Value.States), StringComparer.Ordinal);
        lock (_lock)
        {
            var changed = new List<RuntimePod>();
            foreach (var pod in next.Values)
            {
                if (!_listed || !pod.SameStates(_current.GetValueOrDefault(pod.Uid)))
                {
                    changed.Add(pod);
                }
            }

            changed.AddRange(_current.Values.Where(p => !next.ContainsKey(p.Uid)).Select(p => p with { States = new Dictionary<string, string>() }));
            _current = next;
            _listed = true;
            return changed;
        }
    }

    private static Dictionary<string, string>? Entry(Dictionary<string, (string Namespace, string Name, Dictionary<string, string> States)> builders, IDictionary<string, string> labels)
    {
        if (!labels.TryGetValue(CriLabels.PodUid, out var uid) || string.IsNullOrEmpty(uid))
        {
            // Not the kubelet's.
            return null;
        }

        if (!builders.TryGetValue(uid, out var entry))
        {
            entry = (labels.TryGetValue(CriLabels.PodNamespace, out var ns) ? ns : string.Empty, labels.TryGetValue(CriLabels.PodName, out var name) ? name : string.Empty, new Dictionary<string, string>(StringComparer.Ordinal));
            builders[uid] = entry;
        }

        return entry.States;
    }
}
