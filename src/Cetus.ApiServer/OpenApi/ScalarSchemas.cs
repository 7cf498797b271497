using System.Text.Json.Nodes;
using k8s.Models;

namespace Cetus.ApiServer.OpenApi;

/// <summary>
/// The named schemas that are not k8s.Models objects: Time, Quantity and IntOrString (strings or numbers on the wire,
/// shaped as upstream's v3 documents shape them, so kubectl explain shows <c>&lt;Quantity&gt;</c> and
/// <c>&lt;IntOrString&gt;</c>), and Patch, the free-form body of every PATCH.
/// </summary>
internal static class ScalarSchemas
{
    /// <summary>Adds the four schemas to <paramref name="schemas"/>.</summary>
    public static void AddTo(SchemaGenerator schemas)
    {
        schemas.Add(SchemaNames.Time, new JsonObject
        {
            ["description"] = "Time is an RFC 3339 date and time in UTC, serialized as a string, e.g. 2025-01-02T15:04:05Z.",
            ["format"] = "date-time",
            ["type"] = "string",
        });
        schemas.Add(SchemaNames.Quantity, new JsonObject
        {
            ["description"] = ModelDescriptions.ForType(typeof(ResourceQuantity))
                ?? "Quantity is a fixed-point number with an optional SI (k, M, G…) or binary (Ki, Mi, Gi…) suffix, e.g. 500m or 1Gi.",
            ["oneOf"] = new JsonArray(new JsonObject { ["type"] = "string" }, new JsonObject { ["type"] = "number" }),
        });
        schemas.Add(SchemaNames.IntOrString, new JsonObject
        {
            ["description"] = ModelDescriptions.ForType(typeof(IntOrString))
                ?? "IntOrString holds either an integer or a string, e.g. a port number or a port name.",
            ["format"] = "int-or-string",
            ["oneOf"] = new JsonArray(new JsonObject { ["type"] = "integer" }, new JsonObject { ["type"] = "string" }),
            ["x-kubernetes-int-or-string"] = true,
        });
        schemas.Add(SchemaNames.Patch, new JsonObject
        {
            ["description"] = "Patch is the body of a PATCH request; its format is given by the request's Content-Type.",
            ["type"] = "object",
        });
    }
}
