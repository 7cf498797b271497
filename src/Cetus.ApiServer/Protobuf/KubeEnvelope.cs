using Cetus.ApiServer.Protobuf.Kube.Runtime;
using Google.Protobuf;

namespace Cetus.ApiServer.Protobuf;

/// <summary>
/// The wrapper around every Kubernetes protobuf body: the four bytes <c>k8s\0</c>, then a <c>runtime.Unknown</c> whose
/// typeMeta names the object and whose raw field holds the object's own message (without kind and apiVersion).
/// </summary>
internal readonly record struct KubeEnvelope(string ApiVersion, string Kind, ByteString Raw)
{
    /// <summary>The prefix that tells a protobuf body from JSON or YAML.</summary>
    public static ReadOnlySpan<byte> Magic => "k8s\0"u8;

    /// <summary>Reads the envelope; the messages follow kube-apiserver's protobuf serializer.</summary>
    public static KubeEnvelope Read(ReadOnlySpan<byte> body, string? defaultApiVersion, string? defaultKind)
    {
        if (body.IsEmpty)
        {
            throw new ProtobufDecodeException("empty data");
        }

        if (!body.StartsWith(Magic))
        {
            throw new ProtobufDecodeException("provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]");
        }

        if (body.Length == Magic.Length)
        {
            throw new ProtobufDecodeException("empty body");
        }

        Unknown unknown;
        try
        {
            unknown = Unknown.Parser.ParseFrom(body[Magic.Length..]);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ProtobufDecodeException($"malformed protobuf envelope (runtime.Unknown): {e.Message}", e);
        }

        // As the serializer's copyKindDefaults: what the body leaves out comes from the request's URL.
        var apiVersion = NonEmpty(unknown.TypeMeta?.ApiVersion) ?? defaultApiVersion;
        var kind = NonEmpty(unknown.TypeMeta?.Kind) ?? defaultKind;
        if (string.IsNullOrEmpty(kind))
        {
            throw new ProtobufDecodeException("Object 'Kind' is missing in the protobuf envelope") { ApiVersion = apiVersion };
        }

        if (string.IsNullOrEmpty(apiVersion))
        {
            throw new ProtobufDecodeException("Object 'apiVersion' is missing in the protobuf envelope") { Kind = kind };
        }

        return new KubeEnvelope(apiVersion, kind, unknown.Raw);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
