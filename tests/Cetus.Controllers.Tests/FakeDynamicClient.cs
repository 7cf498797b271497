using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Cetus.Client;
using Cetus.Client.Dynamic;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Cetus.Controllers.Tests;

/// <summary>
/// An API server in memory for the dynamic calls: objects by resource, namespace and name; DELETE as the API
/// server does it (uid preconditions, Foreground/Orphan add their finalizers, objects with finalizers or marked
/// <see cref="Graceful"/> stay with a deletionTimestamp); merge patches of metadata, conditional on the
/// resourceVersion. Every write is recorded in <see cref="Actions"/>.
/// </summary>
internal sealed class FakeDynamicClient : IDynamicClient
{
    private static readonly string[] ResourceVerbsArray = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
    public static readonly ApiResource ConfigMaps = new(string.Empty, "v1", "configmaps", "ConfigMap", true, ResourceVerbs);
    public static readonly ApiResource Pods = new(string.Empty, "v1", "pods", "Pod", true, ResourceVerbs);
    public static readonly ApiResource Namespaces = new(string.Empty, "v1", "namespaces", "Namespace", false, ["create", "delete", "get", "list", "patch", "update", "watch"]);
    public static readonly ApiResource Events = new(string.Empty, "v1", "events", "Event", true, ResourceVerbs);
    public static readonly ApiResource Deployments = new("apps", "v1", "deployments", "Deployment", true, ResourceVerbs);
    public static readonly ApiResource ReplicaSets = new("apps", "v1", "replicasets", "ReplicaSet", true, ResourceVerbs);
    public static readonly ApiResource Nodes = new(string.Empty, "v1", "nodes", "Node", false, ResourceVerbs);

    private readonly Dictionary<(ApiResource, string, string), PartialObject> _objects = [];
    private long _revision = 100;

    private static IReadOnlyList<string> ResourceVerbs => ResourceVerbsArray;

    public List<ApiResource> Resources { get; } = [ConfigMaps, Pods, Namespaces, Events, Deployments, ReplicaSets, Nodes];

    public List<string> Actions { get; } = [];

    /// <summary>Names of objects a DELETE only marks (pods bound to a node, which a kubelet finishes).</summary>
    public HashSet<string> Graceful { get; } = [];

    public DateTime Now { get; set; } = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    /// <summary>Stores an object (type from the resource) and returns it.</summary>
    public PartialObject Add(ApiResource resource, string? ns, string name, string? uid = null, params V1OwnerReference[] owners)
    {
        var item = new PartialObject
        {
            ApiVersion = resource.ApiVersion,
            Kind = resource.Kind,
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Uid = uid ?? "uid-" + name, ResourceVersion = Next(), OwnerReferences = owners.Length == 0 ? null : [.. owners] },
        };
        _objects[(resource, ns ?? string.Empty, name)] = item;
        return item;
    }

    public PartialObject? Find(ApiResource resource, string? ns, string name) => _objects.GetValueOrDefault((resource, ns ?? string.Empty, name));

    public IEnumerable<PartialObject> All(ApiResource resource) => _objects.Where(o => o.Key.Item1 == resource).Select(o => o.Value);

    /// <summary>Groups whose discovery fails (group/version → error): their resources are left out of discovery.</summary>
    public Dictionary<string, string> FailingGroups { get; } = [];

    /// <summary>Each discovery returns new records with new verb lists, as a real API server's answers parse into.</summary>
    public bool FreshRecords { get; set; }

    public Task<IReadOnlyList<ApiResource>> DiscoverAsync(CancellationToken cancellationToken)
    {
        List<ApiResource> found = [.. Resources.Where(r => !FailingGroups.ContainsKey(r.ApiVersion)).Select(r => FreshRecords ? r with { Verbs = [.. r.Verbs] } : r)];
        return FailingGroups.Count == 0 ? Task.FromResult<IReadOnlyList<ApiResource>>(found) : Task.FromException<IReadOnlyList<ApiResource>>(new PartialDiscoveryException(found, FailingGroups));
    }

    public Task<PartialObjectList> ListAsync(ApiResource resource, string? ns, string? continueToken, int limit, CancellationToken cancellationToken) =>
        Task.FromResult(new PartialObjectList
        {
            Metadata = new V1ListMeta { ResourceVersion = _revision.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            Items = [.. _objects.Where(o => o.Key.Item1 == resource && (ns is null || o.Key.Item2 == ns)).Select(o => Objects.Clone(o.Value))],
        });

    public async IAsyncEnumerable<(WatchEventType Type, PartialObject? Object)> WatchAsync(ApiResource resource, string resourceVersion, TimeSpan timeout, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        yield break;
    }

    public Task<PartialObject?> GetAsync(ApiResource resource, string? ns, string name, CancellationToken cancellationToken) =>
        Task.FromResult(Find(resource, ns, name) is { } item ? Objects.Clone(item) : null);

    public Task DeleteAsync(ApiResource resource, string? ns, string name, V1DeleteOptions options, CancellationToken cancellationToken)
    {
        Actions.Add($"delete {resource.Resource} {ns}/{name} {options.PropagationPolicy}");
        var item = Find(resource, ns, name) ?? throw Error(HttpStatusCode.NotFound, "NotFound");
        if (options.Preconditions?.Uid is { } uid && uid != item.Metadata.Uid)
        {
            throw Error(HttpStatusCode.Conflict, "Conflict");
        }

        var finalizers = item.Metadata.Finalizers ??= [];
        if (options.PropagationPolicy == "Foreground" && !finalizers.Contains("foregroundDeletion"))
        {
            finalizers.Add("foregroundDeletion");
        }
        else if (options.PropagationPolicy == "Orphan" && !finalizers.Contains("orphan"))
        {
            finalizers.Add("orphan");
        }

        if (finalizers.Count > 0 || Graceful.Contains(name))
        {
            item.Metadata.DeletionTimestamp ??= Now;
            item.Metadata.ResourceVersion = Next();
        }
        else
        {
            _objects.Remove((resource, ns ?? string.Empty, name));
        }

        return Task.CompletedTask;
    }

    public async Task DeleteCollectionAsync(ApiResource resource, string ns, V1DeleteOptions options, CancellationToken cancellationToken)
    {
        Actions.Add($"deletecollection {resource.Resource} {ns}");
        foreach (var item in _objects.Where(o => o.Key.Item1 == resource && o.Key.Item2 == ns).Select(o => o.Value).ToList())
        {
            await DeleteAsync(resource, ns, item.Metadata.Name, options, cancellationToken);
        }

        Actions.RemoveAll(a => a.StartsWith($"delete {resource.Resource} {ns}/", StringComparison.Ordinal));
    }

    public Task<PartialObject> MergePatchAsync(ApiResource resource, string? ns, string name, string patch, CancellationToken cancellationToken)
    {
        Actions.Add($"patch {resource.Resource} {ns}/{name} {patch}");
        var item = Find(resource, ns, name) ?? throw Error(HttpStatusCode.NotFound, "NotFound");
        var metadata = JsonNode.Parse(patch)!["metadata"]!.AsObject();
        if ((string?)metadata["resourceVersion"] is { } rv && rv != item.Metadata.ResourceVersion)
        {
            throw Error(HttpStatusCode.Conflict, "Conflict");
        }

        if (metadata.ContainsKey("ownerReferences"))
        {
            item.Metadata.OwnerReferences = metadata["ownerReferences"] is { } refs ? KubernetesJson.Deserialize<List<V1OwnerReference>>(refs.ToJsonString()) : null;
        }

        if (metadata.ContainsKey("finalizers"))
        {
            item.Metadata.Finalizers = metadata["finalizers"] is { } f ? KubernetesJson.Deserialize<List<string>>(f.ToJsonString()) : null;
        }

        item.Metadata.ResourceVersion = Next();
        if (item.Metadata.DeletionTimestamp is not null && item.Metadata.Finalizers is not { Count: > 0 } && !Graceful.Contains(name))
        {
            _objects.Remove((resource, ns ?? string.Empty, name));
        }

        return Task.FromResult(Objects.Clone(item));
    }

    private static HttpOperationException Error(HttpStatusCode code, string reason) => new(reason)
    {
        Response = new HttpResponseMessageWrapper(new HttpResponseMessage(code), $$"""{"kind":"Status","reason":"{{reason}}","code":{{(int)code}}}"""),
    };

    private string Next() => (++_revision).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
