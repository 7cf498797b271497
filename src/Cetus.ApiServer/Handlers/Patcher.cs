using System.Text.Json.Nodes;
using Cetus.Api.Patching;
using Cetus.ApiServer.Errors;
using Cetus.ApiServer.Http;
using k8s.Models;

namespace Cetus.ApiServer.Handlers;

/// <summary>Applies a PATCH body by its media type and turns patch failures into kube-apiserver's Status errors.</summary>
internal static class PatchApplier
{
    public const string Supported = "application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml";

    public static JsonNode Apply(string mediaType, JsonNode original, JsonNode patch, Type modelType)
    {
        var type = mediaType switch
        {
            MediaTypes.JsonPatch => PatchType.Json,
            MediaTypes.MergePatch => PatchType.Merge,
            MediaTypes.StrategicMergePatch => PatchType.StrategicMerge,
            _ => throw Problems.UnsupportedMediaType(Supported),
        };
        try
        {
            return Cetus.Api.Patching.Patcher.Apply(type, original, patch, modelType);
        }
        catch (PatchException e)
        {
            throw e.Kind switch
            {
                PatchErrorKind.BadRequest => Problems.BadRequest(e.Message),
                PatchErrorKind.RequestEntityTooLarge => Problems.TooLarge(BodyReader.MaxBodyBytes),
                PatchErrorKind.Invalid => new ApiException(Problems.Status(422, "Invalid", "the server rejected our request due to an error in our request", new V1StatusDetails
                {
                    Causes = [new V1StatusCause { Reason = "UnexpectedServerResponse", Message = e.Message }],
                })),
                // kube-apiserver answers 500 for the strategic-merge errors it does not classify; they are the
                // client's patch all the same, so they are 422 here.
                _ => Problems.Invalid(string.Empty, modelType.Name, string.Empty, [new Cetus.Api.Scheme.FieldError(Cetus.Api.Scheme.FieldErrorType.FieldValueInvalid, "patch", $"patch: Invalid value: {e.Message}")]),
            };
        }
    }
}
