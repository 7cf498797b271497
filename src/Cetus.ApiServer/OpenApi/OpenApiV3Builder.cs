using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.ApiServer.OpenApi;

/// <summary>
/// The OpenAPI v3 documents of a registry's resources: the root (<c>/openapi/v3</c>), which lists each group version
/// with a hashed URL, and one document per group version with its paths and schemas. Built once, on first use.
/// </summary>
public sealed class OpenApiV3Builder
{
    private readonly ResourceRegistry _registry;
    private readonly Lazy<(byte[] Root, string RootHash, Dictionary<string, OpenApiV3Document> Documents)> _built;

    /// <summary>Documents for the resources of <paramref name="registry"/>; nothing is generated until first asked for.</summary>
    public OpenApiV3Builder(ResourceRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _registry = registry;
        _built = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The root document: <c>{"paths":{"api/v1":{"serverRelativeURL":"/openapi/v3/api/v1?hash=…"},…}}</c>.</summary>
    public byte[] Root => _built.Value.Root;

    /// <summary>The upper-case hex SHA-512 of <see cref="Root"/>, kube-apiserver's ETag for it.</summary>
    public string RootHash => _built.Value.RootHash;

    /// <summary>The group-version documents by path (<c>api/v1</c>, <c>apis/apps/v1</c>).</summary>
    public IReadOnlyDictionary<string, OpenApiV3Document> Documents => _built.Value.Documents;

    /// <summary>The document of a group-version path (<c>api/v1</c>, <c>apis/apps/v1</c>), or null.</summary>
    public OpenApiV3Document? Find(string path) => Documents.GetValueOrDefault(path.Trim('/'));

    private (byte[], string, Dictionary<string, OpenApiV3Document>) Build()
    {
        var kinds = KindsByType();
        var documents = new Dictionary<string, OpenApiV3Document>(StringComparer.Ordinal);
        var root = new JsonObject();
        foreach (var (group, version) in _registry.GroupVersions())
        {
            var path = OpenApiPaths.Prefix(group, version).TrimStart('/');
            var document = new OpenApiV3Document(path, Serialize(GroupVersionDocument(group, version, kinds)));
            documents.Add(path, document);
        }

        var paths = new JsonObject();
        foreach (var document in documents.Values.OrderBy(d => d.Path, StringComparer.Ordinal))
        {
            paths[document.Path] = new JsonObject { ["serverRelativeURL"] = document.ServerRelativeUrl };
        }

        root["paths"] = paths;
        var rootJson = Serialize(root);
        return (rootJson, Convert.ToHexString(SHA512.HashData(rootJson)), documents);
    }

    private JsonObject GroupVersionDocument(string group, string version, Dictionary<Type, List<GroupVersionKind>> kinds)
    {
        var schemas = new SchemaGenerator(t => kinds.GetValueOrDefault(t) ?? []);
        ScalarSchemas.AddTo(schemas);
        var operations = new OpenApiPaths(schemas);
        var paths = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var resource in _registry.All.Where(r => r.Group == group && r.Version == version))
        {
            operations.Add(resource, paths);
        }

        var schemaObject = new JsonObject();
        foreach (var (name, schema) in schemas.Build())
        {
            schemaObject[name] = schema;
        }

        var pathObject = new JsonObject();
        foreach (var (path, item) in paths)
        {
            pathObject[path] = item;
        }

        return new JsonObject
        {
            ["components"] = new JsonObject { ["schemas"] = schemaObject },
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "unversioned" },
            ["openapi"] = "3.0.0",
            ["paths"] = pathObject,
        };
    }

    // Which group-version-kinds each model type is: the registry's kinds and lists, plus the shared kinds the
    // operations use (Status, DeleteOptions, Scale, Binding).
    private Dictionary<Type, List<GroupVersionKind>> KindsByType()
    {
        var kinds = new Dictionary<Type, List<GroupVersionKind>>();
        void Add(Type type, GroupVersionKind gvk)
        {
            if (!kinds.TryGetValue(type, out var list))
            {
                kinds[type] = list = [];
            }

            if (!list.Contains(gvk))
            {
                list.Add(gvk);
            }
        }

        foreach (var resource in _registry.All)
        {
            Add(resource.Type, resource.GroupVersionKind);
            if (!resource.Virtual)
            {
                Add(resource.ListType, new GroupVersionKind(resource.Group, resource.Version, resource.ListKind));
            }
        }

        Add(typeof(V1Status), new GroupVersionKind("", "v1", "Status"));
        Add(typeof(V1Scale), new GroupVersionKind("autoscaling", "v1", "Scale"));
        Add(typeof(V1Binding), new GroupVersionKind("", "v1", "Binding"));
        Add(typeof(V1DeleteOptions), new GroupVersionKind("", "v1", "DeleteOptions"));
        foreach (var (group, version) in _registry.GroupVersions().Where(gv => gv.Group.Length > 0))
        {
            // Every group version accepts DeleteOptions in its own apiVersion, as upstream lists them.
            Add(typeof(V1DeleteOptions), new GroupVersionKind(group, version, "DeleteOptions"));
        }

        return kinds;
    }

    private static byte[] Serialize(JsonNode node) => JsonSerializer.SerializeToUtf8Bytes(node);
}
