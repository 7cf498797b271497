using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cetus.ApiServer.Protobuf.Kube.Intstr;
using Cetus.ApiServer.Protobuf.Kube.MetaV1;
using Cetus.ApiServer.Protobuf.Kube.Resource;
using Cetus.ApiServer.Protobuf.Kube.Runtime;
using Google.Protobuf;

namespace Cetus.ApiServer.Protobuf;

/// <summary>
/// The Kubernetes types whose Go JSON is not their fields (each has its own MarshalJSON): times as RFC 3339 strings,
/// quantities as strings, int-or-string as either, and raw extensions as the JSON they carry.
/// </summary>
internal static class KubeWellKnown
{
    private const string TimeFormat = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'";
    private const string MicroTimeFormat = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'ffffff'Z'";

    private static readonly Dictionary<string, Func<IMessage, JsonNode?>> Writers = new()
    {
        [Time.Descriptor.FullName] = m => WriteTime(((Time)m).Seconds, ((Time)m).Nanos, TimeFormat),
        [MicroTime.Descriptor.FullName] = m => WriteTime(((MicroTime)m).Seconds, ((MicroTime)m).Nanos, MicroTimeFormat),
        [Quantity.Descriptor.FullName] = m => JsonValue.Create(((Quantity)m).String is { Length: > 0 } q ? q : "0"),
        [IntOrString.Descriptor.FullName] = m => WriteIntOrString((IntOrString)m),
        [FieldsV1.Descriptor.FullName] = m => WriteRaw(((FieldsV1)m).Raw),
        [RawExtension.Descriptor.FullName] = m => WriteRaw(((RawExtension)m).Raw),
    };

    /// <summary>Writes the message when its type has its own JSON form.</summary>
    public static bool TryWrite(IMessage message, out JsonNode? node)
    {
        if (Writers.TryGetValue(message.Descriptor.FullName, out var write))
        {
            node = write(message);
            return true;
        }

        node = null;
        return false;
    }

    private static JsonNode? WriteTime(long seconds, int nanos, string format)
    {
        // Go sends a zero time.Time as an empty message, read back as 0/0; its JSON is null. (The Unix epoch itself
        // looks the same here: no API object sets a timestamp of 1970-01-01T00:00:00Z.)
        if (seconds == 0 && nanos == 0)
        {
            return null;
        }

        try
        {
            var time = DateTimeOffset.UnixEpoch.AddSeconds(seconds).AddTicks(nanos / 100);
            return JsonValue.Create(time.UtcDateTime.ToString(format, CultureInfo.InvariantCulture));
        }
        catch (ArgumentOutOfRangeException e)
        {
            // Go refuses the same: "Time.MarshalJSON: year outside of range [0,9999]".
            throw new ProtobufDecodeException($"timestamp {seconds}s {nanos}ns is outside years 1 to 9999", e);
        }
    }

    private static JsonNode WriteIntOrString(IntOrString value) => value.Type switch
    {
        0 => JsonValue.Create(value.IntVal),
        1 => JsonValue.Create(value.StrVal),
        _ => throw new ProtobufDecodeException($"impossible IntOrString.Type {value.Type}"),
    };

    private static JsonNode? WriteRaw(ByteString raw)
    {
        if (raw.IsEmpty)
        {
            return null;
        }

        // An embedded object may itself be a protobuf body; Go would write those bytes as they are, which is not JSON.
        if (raw.Span.StartsWith(KubeEnvelope.Magic))
        {
            return KubeProtobuf.ToJson(raw.Span);
        }

        try
        {
            return JsonNode.Parse(raw.Span);
        }
        catch (JsonException e)
        {
            throw new ProtobufDecodeException($"embedded raw object is not JSON: {e.Message}", e);
        }
    }
}
