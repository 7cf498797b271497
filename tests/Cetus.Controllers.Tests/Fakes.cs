using System.Net;
using System.Text.Json.Nodes;
using Cetus.Client;
using Cetus.Client.Events;
using Cetus.Client.Informers;
using Cetus.Controllers.Common;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Cetus.Controllers.Tests;

/// <summary>A clock that moves only when told.</summary>
internal sealed class ManualTime : TimeProvider
{
    private DateTimeOffset _now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>A list-watch never started: tests fill the informer's store themselves.</summary>
internal sealed class NoListWatch<T> : IListWatch<T>
    where T : class
{
    public Task<(IReadOnlyList<T> Items, string ResourceVersion)> ListAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

    public IAsyncEnumerable<(WatchEventType Type, T? Object)> WatchAsync(string resourceVersion, TimeSpan timeout, CancellationToken cancellationToken) => throw new NotSupportedException();
}

/// <summary>Records events.</summary>
internal sealed class FakeEvents : IEventRecorder
{
    public List<string> Recorded { get; } = [];

    public void Event(IKubernetesObject<V1ObjectMeta> involved, string type, string reason, string message)
    {
        lock (Recorded)
        {
            Recorded.Add($"{type} {reason} {message}");
        }
    }
}

/// <summary>
/// An API server in memory: writes go to the caches at once (as if the watch were instant) unless
/// <see cref="Watching"/> is false, and every call is recorded.
/// </summary>
internal sealed class FakeClient : IControllerClient
{
    private int _next;
    private long _revision = 100;

    public Indexer<V1Pod> Pods { get; } = new();

    public Indexer<V1ReplicaSet> ReplicaSets { get; } = new();

    public Indexer<V1Deployment> Deployments { get; } = new();

    public List<string> Actions { get; } = [];

    public bool Watching { get; set; } = true;

    /// <summary>Fails the n-th pod creation (1-based) and every later one when set.</summary>
    public int? FailCreatesFrom { get; set; }

    public ManualTime Time { get; } = new();

    private int _creates;

    public Task<V1Pod> CreatePodAsync(string ns, V1Pod pod, CancellationToken cancellationToken)
    {
        var n = Interlocked.Increment(ref _creates);
        if (n >= FailCreatesFrom)
        {
            Record($"create-pod-failed {ns}");
            throw Error(HttpStatusCode.Forbidden, "Forbidden", "exceeded quota");
        }

        var created = Objects.Clone(pod);
        created.Metadata.Name = pod.Metadata.GenerateName + Interlocked.Increment(ref _next).ToString("x5", System.Globalization.CultureInfo.InvariantCulture);
        created.Metadata.Uid = Guid.NewGuid().ToString();
        created.Metadata.CreationTimestamp = Time.GetUtcNow().UtcDateTime;
        created.Metadata.ResourceVersion = Rv();
        created.Status = new V1PodStatus { Phase = "Pending" };
        Record($"create-pod {ns}/{created.Metadata.GenerateName}");
        if (Watching)
        {
            Pods.Upsert(created);
        }

        return Task.FromResult(created);
    }

    public Task DeletePodAsync(string ns, string name, string? uid, CancellationToken cancellationToken)
    {
        Record($"delete-pod {ns}/{name}");
        if (Watching)
        {
            Pods.Remove(ObjectKeys.For(ns, name));
        }

        return Task.CompletedTask;
    }

    public Task<V1Pod> PatchPodAsync(string ns, string name, string patch, CancellationToken cancellationToken)
    {
        Record($"patch-pod {ns}/{name}");
        var pod = Objects.Clone(Pods.Get(ns, name) ?? throw Error(HttpStatusCode.NotFound, "NotFound", "gone"));
        ApplyOwnerPatch(pod.Metadata, patch);
        pod.Metadata.ResourceVersion = Rv();
        Pods.Upsert(pod);
        return Task.FromResult(pod);
    }

    public Task<V1ReplicaSet> CreateReplicaSetAsync(string ns, V1ReplicaSet replicaSet, CancellationToken cancellationToken)
    {
        if (ReplicaSets.Get(ns, replicaSet.Metadata.Name) is not null)
        {
            throw Error(HttpStatusCode.Conflict, "AlreadyExists", "exists");
        }

        var created = Objects.Clone(replicaSet);
        created.Metadata.Uid = Guid.NewGuid().ToString();
        created.Metadata.CreationTimestamp = Time.GetUtcNow().UtcDateTime.AddTicks(Interlocked.Increment(ref _next));
        created.Metadata.Generation = 1;
        created.Metadata.ResourceVersion = Rv();
        created.Status = new V1ReplicaSetStatus { Replicas = 0 };
        Record($"create-rs {created.Metadata.Name} {created.Spec.Replicas}");
        ReplicaSets.Upsert(created);
        return Task.FromResult(created);
    }

    public Task<V1ReplicaSet> UpdateReplicaSetAsync(V1ReplicaSet replicaSet, CancellationToken cancellationToken)
    {
        var stored = Objects.Clone(replicaSet);
        stored.Metadata.ResourceVersion = Rv();
        stored.Metadata.Generation = (stored.Metadata.Generation ?? 1) + 1;
        Record($"update-rs {stored.Metadata.Name} {stored.Spec.Replicas}");
        ReplicaSets.Upsert(stored);
        return Task.FromResult(stored);
    }

    public Task<V1ReplicaSet> UpdateReplicaSetStatusAsync(V1ReplicaSet replicaSet, CancellationToken cancellationToken)
    {
        var stored = Objects.Clone(replicaSet);
        stored.Metadata.ResourceVersion = Rv();
        Record($"update-rs-status {stored.Metadata.Name}");
        ReplicaSets.Upsert(stored);
        return Task.FromResult(stored);
    }

    public Task<V1ReplicaSet> PatchReplicaSetAsync(string ns, string name, string patch, CancellationToken cancellationToken)
    {
        Record($"patch-rs {name}");
        var rs = Objects.Clone(ReplicaSets.Get(ns, name)!);
        ApplyOwnerPatch(rs.Metadata, patch);
        ReplicaSets.Upsert(rs);
        return Task.FromResult(rs);
    }

    public Task DeleteReplicaSetAsync(string ns, string name, string? uid, CancellationToken cancellationToken)
    {
        Record($"delete-rs {name}");
        ReplicaSets.Remove(ObjectKeys.For(ns, name));
        return Task.CompletedTask;
    }

    public Task<V1ReplicaSet> GetReplicaSetAsync(string ns, string name, CancellationToken cancellationToken) =>
        Task.FromResult(Objects.Clone(ReplicaSets.Get(ns, name) ?? throw Error(HttpStatusCode.NotFound, "NotFound", "gone")));

    public Task<V1Deployment> UpdateDeploymentStatusAsync(V1Deployment deployment, CancellationToken cancellationToken)
    {
        var stored = Objects.Clone(deployment);
        stored.Metadata.ResourceVersion = Rv();
        Record($"update-deployment-status {stored.Metadata.Name}");
        Deployments.Upsert(stored);
        return Task.FromResult(stored);
    }

    private string Rv() => Interlocked.Increment(ref _revision).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private void Record(string action)
    {
        lock (Actions)
        {
            Actions.Add(action);
        }
    }

    private static void ApplyOwnerPatch(V1ObjectMeta metadata, string patch)
    {
        var references = JsonNode.Parse(patch)!["metadata"]!["ownerReferences"]!.AsArray();
        foreach (var reference in references)
        {
            var uid = reference!["uid"]!.GetValue<string>();
            if (reference["$patch"]?.GetValue<string>() == "delete")
            {
                metadata.OwnerReferences = metadata.OwnerReferences?.Where(r => r.Uid != uid).ToList();
            }
            else
            {
                (metadata.OwnerReferences ??= []).Add(KubernetesJson.Deserialize<V1OwnerReference>(reference.ToJsonString()));
            }
        }
    }

    private static HttpOperationException Error(HttpStatusCode code, string reason, string message) => new(message)
    {
        Response = new HttpResponseMessageWrapper(new HttpResponseMessage(code), $$"""{"kind":"Status","status":"Failure","reason":"{{reason}}","message":"{{message}}"}"""),
    };
}
