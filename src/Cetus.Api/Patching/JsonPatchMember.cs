using System.Globalization;
using System.Text.Json.Nodes;

namespace Cetus.Api.Patching;

/// <summary>
/// Reads and writes one member of an object or array by its JSON pointer token, with the rules and error
/// texts of evanphx/json-patch v4 (the library kube-apiserver applies JSON patches with): negative array
/// indices count from the end, and a missing object member reads as null rather than failing.
/// Each method returns null on success, else the error text.
/// </summary>
internal static class JsonPatchMember
{
    public static string? Get(JsonNode container, string key, out JsonNode? value)
    {
        value = null;
        if (container is JsonObject map)
        {
            map.TryGetPropertyValue(key, out value);
            return null;
        }

        var list = (JsonArray)container;
        var (index, error) = ParseIndex(key);
        if (error is not null)
        {
            return error;
        }

        if (index < 0)
        {
            if (index < -list.Count)
            {
                return InvalidIndex(index);
            }

            index += list.Count;
        }

        if (index >= list.Count)
        {
            return InvalidIndex(index);
        }

        value = list[(int)index];
        return null;
    }

    public static string? Add(JsonNode container, string key, JsonNode? value)
    {
        if (container is JsonObject map)
        {
            map[key] = value;
            return null;
        }

        var list = (JsonArray)container;
        if (key == "-")
        {
            list.Add(value);
            return null;
        }

        var (index, error) = ParseIndex(key);
        if (error is not null)
        {
            return $"value was not a proper array index: '{key}': {error}";
        }

        var size = list.Count + 1L;
        if (index >= size)
        {
            return InvalidIndex(index);
        }

        if (index < 0)
        {
            if (index < -size)
            {
                return InvalidIndex(index);
            }

            index += size;
        }

        list.Insert((int)index, value);
        return null;
    }

    public static string? Set(JsonNode container, string key, JsonNode? value)
    {
        if (container is JsonObject map)
        {
            map[key] = value;
            return null;
        }

        var list = (JsonArray)container;
        var (index, error) = ParseIndex(key);
        if (error is not null)
        {
            return error;
        }

        if (index < 0)
        {
            if (index < -list.Count)
            {
                return InvalidIndex(index);
            }

            index += list.Count;
        }

        if (index >= list.Count)
        {
            return InvalidIndex(index);
        }

        list[(int)index] = value;
        return null;
    }

    public static string? Remove(JsonNode container, string key)
    {
        if (container is JsonObject map)
        {
            return map.Remove(key) ? null : $"Unable to remove nonexistent key: {key}: missing value";
        }

        var list = (JsonArray)container;
        var (index, error) = ParseIndex(key);
        if (error is not null)
        {
            return error;
        }

        if (index >= list.Count)
        {
            return InvalidIndex(index);
        }

        if (index < 0)
        {
            if (index < -list.Count)
            {
                return InvalidIndex(index);
            }

            index += list.Count;
        }

        list.RemoveAt((int)index);
        return null;
    }

    private static string InvalidIndex(long index) =>
        string.Create(CultureInfo.InvariantCulture, $"Unable to access invalid index: {index}: invalid index referenced");

    // Go's strconv.Atoi: an optional sign and decimal digits, nothing else.
    private static (long Index, string? Error) ParseIndex(string key)
    {
        var digits = key.AsSpan();
        if (digits.Length > 0 && (digits[0] == '+' || digits[0] == '-'))
        {
            digits = digits[1..];
        }

        if (digits.Length == 0 || digits.ContainsAnyExceptInRange('0', '9'))
        {
            return (0, $"strconv.Atoi: parsing {Quote(key)}: invalid syntax");
        }

        return long.TryParse(key, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var index)
            ? (index, null)
            : (0, $"strconv.Atoi: parsing {Quote(key)}: value out of range");
    }

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
