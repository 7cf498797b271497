using System.Text.Json;
using Cetus.Api.Json;

namespace Cetus.Api.Validation;

/// <summary>
/// Deep equality of API values as their wire form (the models' record equality compares lists by reference).
/// Like Kubernetes' semantic equality, an absent list or map equals an empty one only where the wire form does.
/// </summary>
internal static class JsonEquality
{
    public static bool Same<T>(T? a, T? b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        var left = JsonSerializer.SerializeToUtf8Bytes(a, typeof(T), KubeJson.Options);
        var right = JsonSerializer.SerializeToUtf8Bytes(b, typeof(T), KubeJson.Options);
        return left.AsSpan().SequenceEqual(right);
    }

    /// <summary>A deep copy through the wire form.</summary>
    public static T Clone<T>(T value) where T : class =>
        JsonSerializer.Deserialize<T>(JsonSerializer.SerializeToUtf8Bytes(value, KubeJson.Options), KubeJson.Options)!;
}
