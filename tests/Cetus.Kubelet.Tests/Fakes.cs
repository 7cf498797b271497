using System.Net;
using System.Text.Json.Nodes;
using Cetus.Kubelet.Api;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Cetus.Kubelet.Tests;

/// <summary>A clock that moves only when told.</summary>
internal sealed class ManualTime : TimeProvider
{
    private DateTimeOffset _now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>
/// An API server in memory for the kubelet: nodes, leases and pods; status patches merge conditions by type (as a
/// strategic merge does) and replace the other fields they carry; every call is recorded.
/// </summary>
internal sealed class FakeKubeletClient : IKubeletClient
{
    private long _revision = 10;

    public Dictionary<string, V1Node> Nodes { get; } = [];

    public Dictionary<string, V1Lease> Leases { get; } = [];

    public Dictionary<string, V1Pod> Pods { get; } = [];

    public List<string> Actions { get; } = [];

    public List<string> PodPatches { get; } = [];

    public Task<V1Node?> GetNodeAsync(string name, CancellationToken cancellationToken)
    {
        Record("get node " + name);
        return Task.FromResult(Nodes.TryGetValue(name, out var node) ? Clone(node) : null);
    }

    public Task<V1Node> CreateNodeAsync(V1Node node, CancellationToken cancellationToken)
    {
        Record("create node " + node.Metadata.Name);
        if (Nodes.ContainsKey(node.Metadata.Name))
        {
            throw Error(HttpStatusCode.Conflict);
        }

        node = Clone(node);
        node.Metadata.Uid = "uid-" + node.Metadata.Name;
        node.Metadata.ResourceVersion = Next();
        Nodes[node.Metadata.Name] = node;
        return Task.FromResult(Clone(node));
    }

    public Task<V1Node> PatchNodeAsync(string name, string patch, CancellationToken cancellationToken)
    {
        Record("patch node " + name);
        var node = Nodes[name];
        var labels = JsonNode.Parse(patch)!["metadata"]?["labels"]?.AsObject();
        foreach (var (key, value) in labels ?? [])
        {
            node.Metadata.Labels ??= new Dictionary<string, string>();
            node.Metadata.Labels[key] = value!.GetValue<string>();
        }

        return Task.FromResult(Clone(node));
    }

    public Task<V1Node> PatchNodeStatusAsync(string name, string patch, CancellationToken cancellationToken)
    {
        Record("patch node status " + name);
        var node = Nodes[name];
        node.Status = KubernetesJson.Deserialize<V1NodeStatus>(JsonNode.Parse(patch)!["status"]!.ToJsonString());
        node.Metadata.ResourceVersion = Next();
        return Task.FromResult(Clone(node));
    }

    public Task<V1Lease?> GetLeaseAsync(string ns, string name, CancellationToken cancellationToken)
    {
        Record("get lease " + name);
        return Task.FromResult(Leases.TryGetValue(name, out var lease) ? Clone(lease) : null);
    }

    public Task<V1Lease> CreateLeaseAsync(V1Lease lease, CancellationToken cancellationToken)
    {
        Record("create lease " + lease.Metadata.Name);
        if (Leases.ContainsKey(lease.Metadata.Name))
        {
            throw Error(HttpStatusCode.Conflict);
        }

        lease = Clone(lease);
        lease.Metadata.ResourceVersion = Next();
        Leases[lease.Metadata.Name] = lease;
        return Task.FromResult(Clone(lease));
    }

    public Task<V1Lease> UpdateLeaseAsync(V1Lease lease, CancellationToken cancellationToken)
    {
        Record("update lease " + lease.Metadata.Name);
        if (!Leases.TryGetValue(lease.Metadata.Name, out var current))
        {
            throw Error(HttpStatusCode.NotFound);
        }

        if (current.Metadata.ResourceVersion != lease.Metadata.ResourceVersion)
        {
            throw Error(HttpStatusCode.Conflict);
        }

        lease = Clone(lease);
        lease.Metadata.ResourceVersion = Next();
        Leases[lease.Metadata.Name] = lease;
        return Task.FromResult(Clone(lease));
    }

    public Task<V1Pod> PatchPodStatusAsync(string ns, string name, string patch, CancellationToken cancellationToken)
    {
        Record($"patch pod status {ns}/{name}");
        lock (PodPatches)
        {
            PodPatches.Add(patch);
        }

        if (!Pods.TryGetValue($"{ns}/{name}", out var pod))
        {
            throw Error(HttpStatusCode.NotFound);
        }

        var current = JsonNode.Parse(KubernetesJson.Serialize(pod.Status ?? new V1PodStatus()))!.AsObject();
        var update = JsonNode.Parse(patch)!["status"]!.AsObject();
        foreach (var (key, value) in update)
        {
            if (key == "conditions")
            {
                var merged = current["conditions"]?.AsArray() ?? [];
                foreach (var condition in value!.AsArray())
                {
                    var type = condition!["type"]!.GetValue<string>();
                    var existing = merged.FirstOrDefault(c => c!["type"]!.GetValue<string>() == type);
                    if (existing is not null)
                    {
                        merged[merged.IndexOf(existing)] = condition.DeepClone();
                    }
                    else
                    {
                        merged.Add(condition.DeepClone());
                    }
                }

                current["conditions"] = merged.DeepClone();
            }
            else
            {
                current[key] = value?.DeepClone();
            }
        }

        pod.Status = KubernetesJson.Deserialize<V1PodStatus>(current.ToJsonString());
        pod.Metadata.ResourceVersion = Next();
        return Task.FromResult(Clone(pod));
    }

    public Task DeletePodAsync(string ns, string name, string uid, CancellationToken cancellationToken)
    {
        Record($"delete pod {ns}/{name} grace 0 uid {uid}");
        if (Pods.TryGetValue($"{ns}/{name}", out var pod) && pod.Metadata.Uid == uid)
        {
            Pods.Remove($"{ns}/{name}");
        }

        return Task.CompletedTask;
    }

    public Dictionary<string, V1ConfigMap> ConfigMaps { get; } = [];

    public Dictionary<string, V1Secret> Secrets { get; } = [];

    public List<(string Namespace, string ServiceAccount, IReadOnlyList<string> Audiences, long ExpirationSeconds, string PodName, string PodUid)> TokenRequests { get; } = [];

    public Task<V1ConfigMap?> GetConfigMapAsync(string ns, string name, CancellationToken cancellationToken)
    {
        Record($"get configmap {ns}/{name}");
        return Task.FromResult(ConfigMaps.TryGetValue($"{ns}/{name}", out var configMap) ? Clone(configMap) : null);
    }

    public Task<V1Secret?> GetSecretAsync(string ns, string name, CancellationToken cancellationToken)
    {
        Record($"get secret {ns}/{name}");
        return Task.FromResult(Secrets.TryGetValue($"{ns}/{name}", out var secret) ? Clone(secret) : null);
    }

    public Task<Authenticationv1TokenRequest> CreateServiceAccountTokenAsync(string ns, string serviceAccount, IReadOnlyList<string> audiences, long expirationSeconds, string podName, string podUid, CancellationToken cancellationToken)
    {
        Record($"create token {ns}/{serviceAccount}");
        lock (TokenRequests)
        {
            TokenRequests.Add((ns, serviceAccount, audiences, expirationSeconds, podName, podUid));
            return Task.FromResult(new Authenticationv1TokenRequest
            {
                Spec = new V1TokenRequestSpec { Audiences = [.. audiences], ExpirationSeconds = expirationSeconds },
                Status = new V1TokenRequestStatus { Token = $"token-{TokenRequests.Count}-{serviceAccount}-{string.Join(',', audiences)}", ExpirationTimestamp = Now().AddSeconds(expirationSeconds) },
            });
        }
    }

    /// <summary>The clock tokens expire by.</summary>
    public Func<DateTime> Now { get; set; } = () => DateTime.UtcNow;

    public void AddConfigMap(string name, Dictionary<string, string> data, string ns = "default") =>
        ConfigMaps[$"{ns}/{name}"] = new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns }, Data = data };

    public void AddSecret(string name, Dictionary<string, string> data, string ns = "default") =>
        Secrets[$"{ns}/{name}"] = new V1Secret { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns }, Data = data.ToDictionary(p => p.Key, p => System.Text.Encoding.UTF8.GetBytes(p.Value)) };

    /// <summary>The stored pod (a copy, as an informer would hand it).</summary>
    public V1Pod Pod(string name) => Clone(Pods["default/" + name]);

    public void Add(V1Pod pod) => Pods[$"{pod.Metadata.NamespaceProperty}/{pod.Metadata.Name}"] = Clone(pod);

    private static HttpOperationException Error(HttpStatusCode code) => new($"HTTP {(int)code}")
    {
        Response = new HttpResponseMessageWrapper(new HttpResponseMessage(code), string.Empty),
    };

    private static T Clone<T>(T item) => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(item));

    private string Next() => (++_revision).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private void Record(string action)
    {
        lock (Actions)
        {
            Actions.Add(action);
        }
    }
}

/// <summary>Test pods.</summary>
internal static class Builders
{
    public static V1Pod Pod(string name, string restartPolicy = "Always", IEnumerable<V1Container>? init = null, params V1Container[] containers) => new()
    {
        ApiVersion = "v1",
        Kind = "Pod",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Uid = "uid-" + name, ResourceVersion = "1" },
        Spec = new V1PodSpec
        {
            NodeName = "node-1",
            RestartPolicy = restartPolicy,
            InitContainers = init?.ToList(),
            Containers = containers.Length > 0 ? [.. containers] : [Container("app")],
        },
    };

    public static V1Container Container(string name, string image = "nginx:1.27", string? cpu = null, string? memory = null, string? limitCpu = null, string? limitMemory = null, string? restartPolicy = null)
    {
        var requests = new Dictionary<string, ResourceQuantity>();
        var limits = new Dictionary<string, ResourceQuantity>();
        if (cpu is not null)
        {
            requests["cpu"] = new ResourceQuantity(cpu);
        }

        if (memory is not null)
        {
            requests["memory"] = new ResourceQuantity(memory);
        }

        if (limitCpu is not null)
        {
            limits["cpu"] = new ResourceQuantity(limitCpu);
        }

        if (limitMemory is not null)
        {
            limits["memory"] = new ResourceQuantity(limitMemory);
        }

        return new V1Container
        {
            Name = name,
            Image = image,
            RestartPolicy = restartPolicy,
            Resources = new V1ResourceRequirements { Requests = requests.Count > 0 ? requests : null, Limits = limits.Count > 0 ? limits : null },
        };
    }
}

/// <summary>Records the kubelet's events (thread-safe: probe workers record from their own tasks).</summary>
internal sealed class FakeEventSink : Cetus.Client.Events.IEventSink
{
    private readonly List<RecordedEvent> _events = [];

    public IReadOnlyList<RecordedEvent> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    public void Event(V1ObjectReference involved, string type, string reason, string message)
    {
        lock (_events)
        {
            _events.Add(new RecordedEvent(involved, type, reason, message));
        }
    }

    /// <summary>The events about <paramref name="fieldPath"/> (a container) as (type, reason, message), in order.</summary>
    public List<(string Type, string Reason, string Message)> About(string? fieldPath) =>
        Events.Where(e => e.Involved.FieldPath == fieldPath).Select(e => (e.Type, e.Reason, e.Message)).ToList();
}

internal sealed record RecordedEvent(V1ObjectReference Involved, string Type, string Reason, string Message);
