using System.Text.Json.Nodes;
using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.ApiServer.OpenApi;

/// <summary>
/// The <c>paths</c> of one resource: collection and item URLs (and, for namespaced kinds, the all-namespaces list),
/// one operation per verb the resource allows, and the status, scale, binding and finalize subresources. Every
/// operation names its kind in <c>x-kubernetes-group-version-kind</c>: kubectl explain finds kinds that way, and
/// kubectl create/apply/edit leave field validation to the server only when the kind's PATCH takes fieldValidation.
/// </summary>
internal sealed class OpenApiPaths(SchemaGenerator schemas)
{
    private static readonly string[] PatchContentTypes =
        ["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json"];

    private static readonly GroupVersionKind ScaleKind = new("autoscaling", "v1", "Scale");
    private static readonly GroupVersionKind BindingKind = new("", "v1", "Binding");
    private static readonly GroupVersionKind EvictionKind = new("policy", "v1", "Eviction");
    private static readonly GroupVersionKind TokenRequestKind = new("authentication.k8s.io", "v1", "TokenRequest");

    /// <summary>The <c>{group, kind, version}</c> object of the extension (a single object on operations, a list on schemas).</summary>
    public static JsonObject KindExtension(GroupVersionKind gvk) => new()
    {
        ["group"] = gvk.Group,
        ["kind"] = gvk.Kind,
        ["version"] = gvk.Version,
    };

    /// <summary>The URL prefix of a group version: <c>/api/v1</c> or <c>/apis/{group}/{version}</c>.</summary>
    public static string Prefix(string group, string version) => group.Length == 0 ? $"/api/{version}" : $"/apis/{group}/{version}";

    /// <summary>Adds the paths of <paramref name="resource"/> to <paramref name="paths"/>.</summary>
    public void Add(ResourceDefinition resource, IDictionary<string, JsonObject> paths)
    {
        var names = new OperationNames(resource);
        var prefix = Prefix(resource.Group, resource.Version);
        var scope = resource.Namespaced ? "/namespaces/{namespace}" : "";
        var collection = $"{prefix}{scope}/{resource.Plural}";
        var item = collection + "/{name}";
        var verbs = resource.Verbs.ToHashSet(StringComparer.Ordinal);
        var gvk = resource.GroupVersionKind;

        var collectionOperations = new JsonObject();
        if (verbs.Contains("list"))
        {
            collectionOperations["get"] = Operation(names, "list", "list", $"list or watch objects of kind {resource.Kind}", gvk, null, List(resource));
        }

        if (verbs.Contains("create"))
        {
            collectionOperations["post"] = Operation(names, "create", "post", $"create a {resource.Kind}", gvk, Json(resource.Type), Written(resource.Type, accepted: true));
        }

        if (verbs.Contains("deletecollection"))
        {
            collectionOperations["delete"] = Operation(names, "deleteCollection", "deletecollection", $"delete collection of {resource.Kind}", gvk, Json(typeof(V1DeleteOptions)), Ok(typeof(V1Status)));
        }

        AddPath(paths, collection, collectionOperations, resource.Namespaced ? [Namespace()] : []);

        var itemOperations = new JsonObject();
        if (verbs.Contains("get"))
        {
            itemOperations["get"] = Operation(names, "read", "get", $"read the specified {resource.Kind}", gvk, null, Ok(resource.Type));
        }

        if (verbs.Contains("update"))
        {
            itemOperations["put"] = Operation(names, "replace", "put", $"replace the specified {resource.Kind}", gvk, Json(resource.Type), Written(resource.Type, accepted: false));
        }

        if (verbs.Contains("patch"))
        {
            itemOperations["patch"] = Operation(names, "patch", "patch", $"partially update the specified {resource.Kind}", gvk, PatchBody(), Written(resource.Type, accepted: false));
        }

        if (verbs.Contains("delete"))
        {
            var deleted = Written(resource.Type, accepted: true);
            deleted.Remove("201");
            itemOperations["delete"] = Operation(names, "delete", "delete", $"delete a {resource.Kind}", gvk, Json(typeof(V1DeleteOptions)), deleted);
        }

        AddPath(paths, item, itemOperations, ItemParameters(resource.Kind, resource.Namespaced));

        if (resource.Namespaced && verbs.Contains("list"))
        {
            var all = new JsonObject
            {
                ["get"] = Operation(names, "list", "list", $"list or watch objects of kind {resource.Kind}", gvk, null, List(resource), allNamespaces: true),
            };
            AddPath(paths, $"{prefix}/{resource.Plural}", all, []);
        }

        foreach (var subresource in resource.Subresources)
        {
            AddSubresource(resource, names, item, subresource, paths);
        }
    }

    private void AddSubresource(ResourceDefinition resource, OperationNames names, string item, string subresource, IDictionary<string, JsonObject> paths)
    {
        var operations = new JsonObject();
        var suffix = char.ToUpperInvariant(subresource[0]) + subresource[1..];
        switch (subresource)
        {
            case "status":
                AddReadWrite(operations, names, suffix, $"status of the specified {resource.Kind}", resource.GroupVersionKind, resource.Type);
                break;
            case "scale":
                AddReadWrite(operations, names, suffix, $"scale of the specified {resource.Kind}", ScaleKind, typeof(V1Scale));
                break;
            case "binding":
                operations["post"] = Operation(names, "create", "post", $"create binding of a {resource.Kind}", BindingKind, Json(typeof(V1Binding)), Written(typeof(V1Binding), accepted: true), suffix: suffix);
                break;
            case "eviction":
                operations["post"] = Operation(names, "create", "post", $"create eviction of a {resource.Kind}", EvictionKind, Json(typeof(V1Eviction)), Written(typeof(V1Eviction), accepted: true), suffix: suffix);
                break;
            case "token":
                operations["post"] = Operation(names, "create", "post", $"create token of a {resource.Kind}", TokenRequestKind, Json(typeof(Authenticationv1TokenRequest)), Written(typeof(Authenticationv1TokenRequest), accepted: true), suffix: suffix);
                break;
            case "finalize":
                operations["put"] = Operation(names, "replace", "put", $"replace finalize of the specified {resource.Kind}", resource.GroupVersionKind, Json(resource.Type), Written(resource.Type, accepted: false), suffix: suffix);
                break;
            default:
                // Streaming subresources (log, exec, …) have no OpenAPI object schema to publish.
                return;
        }

        AddPath(paths, $"{item}/{subresource}", operations, ItemParameters(resource.Kind, resource.Namespaced));
    }

    private void AddReadWrite(JsonObject operations, OperationNames names, string suffix, string what, GroupVersionKind gvk, Type type)
    {
        operations["get"] = Operation(names, "read", "get", $"read {what}", gvk, null, Ok(type), suffix: suffix);
        operations["patch"] = Operation(names, "patch", "patch", $"partially update {what}", gvk, PatchBody(), Written(type, accepted: false), suffix: suffix);
        operations["put"] = Operation(names, "replace", "put", $"replace {what}", gvk, Json(type), Written(type, accepted: false), suffix: suffix);
    }

    private static void AddPath(IDictionary<string, JsonObject> paths, string path, JsonObject operations, JsonObject[] parameters)
    {
        if (operations.Count == 0)
        {
            return;
        }

        // Keys in alphabetical order, as upstream's documents have them (parameters sits between get and patch).
        operations["parameters"] = new JsonArray([.. parameters, QueryParameters.Pretty()]);
        var pathItem = new JsonObject();
        foreach (var (key, value) in operations.OrderBy(o => o.Key, StringComparer.Ordinal).ToList())
        {
            operations.Remove(key);
            pathItem[key] = value;
        }

        paths[path] = pathItem;
    }

    private static JsonObject Operation(
        OperationNames names,
        string verb,
        string action,
        string description,
        GroupVersionKind gvk,
        JsonObject? requestBody,
        JsonObject responses,
        bool allNamespaces = false,
        string suffix = "")
    {
        var operation = new JsonObject
        {
            ["description"] = description,
            ["operationId"] = names.For(verb, allNamespaces, suffix),
            ["parameters"] = QueryParameters.For(action),
        };
        if (requestBody is not null)
        {
            operation["requestBody"] = requestBody;
        }

        operation["responses"] = responses;
        operation["tags"] = new JsonArray(names.Tag);
        operation["x-kubernetes-action"] = action;
        operation["x-kubernetes-group-version-kind"] = KindExtension(gvk);
        return operation;
    }

    private static JsonObject[] ItemParameters(string kind, bool namespaced) =>
        namespaced ? [QueryParameters.Path("name", $"name of the {kind}"), Namespace()] : [QueryParameters.Path("name", $"name of the {kind}")];

    private static JsonObject Namespace() => QueryParameters.Path("namespace", "the namespace of the objects");

    private JsonObject Json(Type type) => new()
    {
        ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = schemas.Reference(type) } },
        ["required"] = true,
    };

    private static JsonObject PatchBody()
    {
        var content = new JsonObject();
        foreach (var contentType in PatchContentTypes)
        {
            content[contentType] = new JsonObject { ["schema"] = SchemaGenerator.Reference(SchemaNames.Patch) };
        }

        return new JsonObject { ["content"] = content, ["required"] = true };
    }

    private JsonObject Ok(Type type) => new() { ["200"] = Response(type, "OK") };

    private JsonObject Written(Type type, bool accepted)
    {
        var responses = new JsonObject { ["200"] = Response(type, "OK"), ["201"] = Response(type, "Created") };
        if (accepted)
        {
            responses["202"] = Response(type, "Accepted");
        }

        return responses;
    }

    private JsonObject List(ResourceDefinition resource) => new()
    {
        ["200"] = new JsonObject
        {
            ["content"] = new JsonObject
            {
                ["application/json"] = new JsonObject { ["schema"] = schemas.Reference(resource.ListType) },
                ["application/json;stream=watch"] = new JsonObject { ["schema"] = schemas.Reference(resource.ListType) },
            },
            ["description"] = "OK",
        },
    };

    private JsonObject Response(Type type, string description) => new()
    {
        ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = schemas.Reference(type) } },
        ["description"] = description,
    };
}
