using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using k8s.Models;

namespace Cetus.Api.Json;

/// <summary>
/// metav1.MicroTime fields, written as upstream writes them: RFC 3339 in UTC with exactly six fractional digits
/// (<c>2026-01-01T00:00:10.000000Z</c>). The models type them as DateTime, like metav1.Time (whole seconds), so the
/// client library's converter cannot tell them apart and drops a fraction of zero; these fields are named here.
/// Reading is left to that converter (it accepts both forms).
/// </summary>
internal sealed class MicroTimeConverter : JsonConverter<DateTime?>
{
    /// <summary>The same, for a field typed DateTime (a required one, like events.k8s.io's eventTime).</summary>
    public static JsonConverter<DateTime> Required { get; } = new RequiredMicroTime();

    /// <summary>The MicroTime fields of the served types, by model type: their JSON names.</summary>
    public static readonly IReadOnlyDictionary<Type, string[]> Fields = new Dictionary<Type, string[]>
    {
        [typeof(V1LeaseSpec)] = ["acquireTime", "renewTime"],
        [typeof(Corev1Event)] = ["eventTime"],
        [typeof(Corev1EventSeries)] = ["lastObservedTime"],
        [typeof(Eventsv1Event)] = ["eventTime"],
        [typeof(Eventsv1EventSeries)] = ["lastObservedTime"],
    };

    public static MicroTimeConverter Instance { get; } = new();

    // The converter reads DateTime? itself: null stays null, a value goes to the options' DateTime converter.
    public override bool HandleNull => true;

    public override DateTime? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? null : JsonSerializer.Deserialize<DateTime>(ref reader, options);

    public override void Write(Utf8JsonWriter writer, DateTime? value, JsonSerializerOptions options)
    {
        if (value is { } time)
        {
            WriteTime(writer, time);
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    private static void WriteTime(Utf8JsonWriter writer, DateTime time)
    {
        var utc = time.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(time, DateTimeKind.Utc) : time.ToUniversalTime();
        writer.WriteStringValue(utc.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'ffffff'Z'", CultureInfo.InvariantCulture));
    }

    private sealed class RequiredMicroTime : JsonConverter<DateTime>
    {
        public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            JsonSerializer.Deserialize<DateTime>(ref reader, options);

        public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) => WriteTime(writer, value);
    }
}
