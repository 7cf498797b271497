using System.Text.Json.Nodes;
using Google.Protobuf;

namespace Cetus.ApiServer.Protobuf;

/// <summary>
/// Decodes the protobuf bodies that Kubernetes clients send (<c>application/vnd.kubernetes.protobuf</c>: kubectl's
/// typed clients, client-go) into the JSON kube-apiserver's JSON encoding gives the same object, so that the rest of
/// the server reads one format.
/// </summary>
public static class KubeProtobuf
{
    /// <summary>The Content-Type of a Kubernetes protobuf body.</summary>
    public const string MediaType = "application/vnd.kubernetes.protobuf";

    /// <summary>Every apiVersion and kind whose protobuf bodies can be decoded.</summary>
    public static IReadOnlyCollection<(string ApiVersion, string Kind)> SupportedKinds => KubeKinds.All;

    /// <summary>Whether the body starts with the <c>k8s\0</c> prefix of the protobuf envelope.</summary>
    public static bool HasEnvelope(ReadOnlySpan<byte> body) => body.StartsWith(KubeEnvelope.Magic);

    /// <summary>
    /// Decodes a protobuf body into the object's JSON, with <c>kind</c> and <c>apiVersion</c> taken from the envelope
    /// (or from <paramref name="defaultApiVersion"/>/<paramref name="defaultKind"/> — the request URL's — where the
    /// envelope leaves them empty, as kube-apiserver does).
    /// </summary>
    /// <exception cref="ProtobufDecodeException">
    /// The envelope is missing or malformed, the message is truncated or malformed, or the kind is not supported.
    /// kube-apiserver answers these with 400 Bad Request.
    /// </exception>
    public static JsonObject ToJson(ReadOnlySpan<byte> body, string? defaultApiVersion = null, string? defaultKind = null)
    {
        var envelope = KubeEnvelope.Read(body, defaultApiVersion, defaultKind);
        var (apiVersion, kind) = (envelope.ApiVersion, envelope.Kind);
        var type = KubeKinds.Find(apiVersion, kind) ?? throw new ProtobufDecodeException(
            $"no kind \"{kind}\" is registered for version \"{apiVersion}\" in protobuf") { ApiVersion = apiVersion, Kind = kind };
        try
        {
            var message = type.Parser.ParseFrom(envelope.Raw);
            var json = new JsonObject { ["kind"] = kind, ["apiVersion"] = apiVersion };
            KubeJsonWriter.WriteFields(message, json);
            return json;
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ProtobufDecodeException($"{kind} in version \"{apiVersion}\" cannot be decoded from protobuf: {e.Message}", e)
            {
                ApiVersion = apiVersion,
                Kind = kind,
            };
        }
        catch (ProtobufDecodeException e)
        {
            throw new ProtobufDecodeException($"{kind} in version \"{apiVersion}\" cannot be decoded from protobuf: {e.Message}", e)
            {
                ApiVersion = apiVersion,
                Kind = kind,
            };
        }
    }
}
