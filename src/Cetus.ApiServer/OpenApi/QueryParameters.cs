using System.Text.Json.Nodes;

namespace Cetus.ApiServer.OpenApi;

/// <summary>The query and path parameters of the REST operations, by the action that takes them.</summary>
internal static class QueryParameters
{
    private static readonly Dictionary<string, (string Type, string Description)> Known = new(StringComparer.Ordinal)
    {
        ["allowWatchBookmarks"] = ("boolean", "Ask for BOOKMARK watch events; servers may send them at their discretion."),
        ["continue"] = ("string", "The continue token of the previous page of a list, to get the next page."),
        ["dryRun"] = ("string", "When present (the only value is All), the request is processed in full but nothing is persisted."),
        ["fieldManager"] = ("string", "The name of the actor making the change, recorded in managedFields; required for apply patches."),
        ["fieldSelector"] = ("string", "Restrict the returned objects by their fields. Defaults to everything."),
        ["fieldValidation"] = ("string", "How unknown or duplicate fields in the request body are handled: Ignore drops them, Warn drops them with a warning per field, Strict fails the request."),
        ["force"] = ("boolean", "Take over fields owned by other managers in an apply patch. Must be unset for other patch types."),
        ["gracePeriodSeconds"] = ("integer", "Seconds before the object is deleted; zero deletes immediately, unset uses the type's default."),
        ["labelSelector"] = ("string", "Restrict the returned objects by their labels. Defaults to everything."),
        ["limit"] = ("integer", "The most objects to return in one page of a list; the rest follow with the continue token."),
        ["orphanDependents"] = ("boolean", "Deprecated: use propagationPolicy. Whether dependents are orphaned."),
        ["propagationPolicy"] = ("string", "How dependents are garbage collected: Orphan, Background or Foreground."),
        ["resourceVersion"] = ("string", "Constrains which resource versions a list or watch may be served from."),
        ["resourceVersionMatch"] = ("string", "How resourceVersion applies to a list: Exact or NotOlderThan."),
        ["sendInitialEvents"] = ("boolean", "With watch: start with synthetic ADDED events for the current state, ended by a bookmark."),
        ["timeoutSeconds"] = ("integer", "Timeout for the list or watch call."),
        ["watch"] = ("boolean", "Watch for changes to the described resources instead of listing them."),
    };

    private static readonly string[] List =
        ["allowWatchBookmarks", "continue", "fieldSelector", "labelSelector", "limit", "resourceVersion", "resourceVersionMatch", "sendInitialEvents", "timeoutSeconds", "watch"];

    private static readonly string[] Write = ["dryRun", "fieldManager", "fieldValidation"];

    private static readonly string[] Patch = ["dryRun", "fieldManager", "fieldValidation", "force"];

    private static readonly string[] Delete = ["dryRun", "gracePeriodSeconds", "orphanDependents", "propagationPolicy"];

    private static readonly string[] DeleteCollection =
        ["continue", "dryRun", "fieldSelector", "gracePeriodSeconds", "labelSelector", "limit", "orphanDependents", "propagationPolicy", "resourceVersion", "resourceVersionMatch", "sendInitialEvents", "timeoutSeconds"];

    /// <summary>The query parameters of an action (<c>list</c>, <c>post</c>, <c>put</c>, <c>patch</c>, <c>delete</c>, <c>deletecollection</c>, <c>get</c>).</summary>
    public static JsonArray For(string action)
    {
        string[] names = action switch
        {
            "list" => List,
            "post" or "put" => Write,
            "patch" => Patch,
            "delete" => Delete,
            "deletecollection" => DeleteCollection,
            _ => [],
        };
        return new JsonArray([.. names.Select(Query)]);
    }

    /// <summary>A required path parameter.</summary>
    public static JsonObject Path(string name, string description) => new()
    {
        ["description"] = description,
        ["in"] = "path",
        ["name"] = name,
        ["required"] = true,
        ["schema"] = new JsonObject { ["type"] = "string", ["uniqueItems"] = true },
    };

    /// <summary>The <c>pretty</c> parameter every path takes.</summary>
    public static JsonObject Pretty() => new()
    {
        ["description"] = "If 'true', the output is pretty printed.",
        ["in"] = "query",
        ["name"] = "pretty",
        ["schema"] = new JsonObject { ["type"] = "string", ["uniqueItems"] = true },
    };

    private static JsonObject Query(string name)
    {
        var (type, description) = Known[name];
        return new JsonObject
        {
            ["description"] = description,
            ["in"] = "query",
            ["name"] = name,
            ["schema"] = new JsonObject { ["type"] = type, ["uniqueItems"] = true },
        };
    }
}
