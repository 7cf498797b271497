using System.Text.Json.Nodes;

namespace Cetus.Api.Patching;

/// <summary>
/// Strategic merge patch errors with k8s.io/apimachinery's wording (util/mergepatch) and the status
/// kube-apiserver's interpretStrategicMergePatchError gives each: the patch-format errors are 400, lists
/// of lists 422, anything else reaches the client as a 500 carrying the text.
/// </summary>
internal static class MergePatchErrors
{
    public static PatchException BadJsonDocument() => new(PatchErrorKind.BadRequest, "invalid JSON document");

    public static PatchException NoListOfLists() => new(PatchErrorKind.Invalid, "lists of lists are not supported");

    public static PatchException BadPrimitiveListFormat() => new(PatchErrorKind.BadRequest, "invalid patch format of primitive list");

    public static PatchException BadRetainKeysFormat() => new(PatchErrorKind.BadRequest, "invalid patch format of retainKeys");

    public static PatchException BadSetElementOrderFormat() => new(PatchErrorKind.BadRequest, "invalid patch format of setElementOrder list");

    public static PatchException NoMergeKey(JsonObject map, string mergeKey) =>
        Internal($"map: {GoFormat.Value(map)} does not contain declared merge key: {mergeKey}");

    public static PatchException BadArgType(string expectedType, JsonNode? actual) =>
        Internal($"expected a {expectedType}, but received a {GoFormat.TypeName(actual)}");

    public static PatchException BadPatchType(JsonNode? directive, JsonObject map) =>
        Internal($"unknown patch type: {GoFormat.Value(directive)} in map: {GoFormat.Value(map)}");

    public static PatchException Internal(string message) => new(PatchErrorKind.Internal, message);
}
