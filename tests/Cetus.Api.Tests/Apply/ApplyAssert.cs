using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cetus.Api.Apply;
using k8s.Models;
using Xunit;

namespace Cetus.Api.Tests.Apply;

/// <summary>Builders and comparisons for apply tests: objects are deployments, times are fixed.</summary>
internal static class ApplyAssert
{
    public static readonly DateTime T1 = new(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
    public static readonly DateTime T2 = new(2026, 1, 2, 4, 0, 0, DateTimeKind.Utc);

    // The API server writes keys such as k:{"name":"app"} without escaping their quotes as \u0022.
    private static readonly JsonSerializerOptions Wire = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Text(JsonNode node) => node.ToJsonString(Wire);

    public static JsonObject Obj(string json) => JsonNode.Parse(json)!.AsObject();

    public static JsonObject Applied(JsonObject? live, string config, string manager, DateTime now, bool force = false)
    {
        var result = ServerSideApply.Apply(live, Obj(config), manager, force, typeof(V1Deployment), now);
        Assert.Empty(result.Conflicts);
        return Assert.IsType<JsonObject>(result.Object);
    }

    public static JsonObject Updated(JsonObject? live, string updated, string manager, DateTime now) =>
        ServerSideApply.RecordUpdate(live, Obj(updated), manager, typeof(V1Deployment), now);

    public static void JsonEqual(string expected, JsonNode? actual) =>
        Assert.True(
            JsonNode.DeepEquals(JsonNode.Parse(expected), actual),
            $"expected {JsonNode.Parse(expected)!.ToJsonString()}{Environment.NewLine}actual   {actual?.ToJsonString() ?? "null"}");

    /// <summary>The object without managedFields, to compare data apart from ownership.</summary>
    public static JsonObject Data(JsonObject obj)
    {
        var copy = obj.DeepClone().AsObject();
        copy["metadata"]?.AsObject().Remove("managedFields");
        return copy;
    }

    /// <summary>The managedFields array as written, byte for byte (member order included).</summary>
    public static string ManagedFieldsText(JsonObject obj) => Text(obj["metadata"]!["managedFields"]!);

    /// <summary>The FieldsV1 of one manager's entry with the given operation.</summary>
    public static string FieldsOf(JsonObject obj, string manager, string operation = "Apply") =>
        Text(obj["metadata"]!["managedFields"]!.AsArray()
            .Single(e => (string?)e!["manager"] == manager && (string?)e["operation"] == operation)!["fieldsV1"]!);

    public static IEnumerable<string> Managers(JsonObject obj) =>
        obj["metadata"]?["managedFields"]?.AsArray().Select(e => $"{e!["manager"]}/{e["operation"]}") ?? [];
}
