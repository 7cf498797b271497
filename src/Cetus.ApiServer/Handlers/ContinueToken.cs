using System.Text;
using System.Text.Json;
using Cetus.ApiServer.Errors;

namespace Cetus.ApiServer.Handlers;

/// <summary>
/// The opaque continue parameter of a paginated list: the revision of the first page and the last key returned,
/// base64 JSON like kube-apiserver's, so later pages read the same consistent state.
/// </summary>
internal static class ContinueToken
{
    private sealed record Token(string V, long Rv, string Start);

    public static string Encode(long revision, string lastKey) =>
        Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new Token("meta.k8s.io/v1", revision, lastKey), JsonSerializerOptions.Web));

    public static (long Revision, string LastKey) Decode(string token, string prefix)
    {
        try
        {
            var parsed = JsonSerializer.Deserialize<Token>(Convert.FromBase64String(token), JsonSerializerOptions.Web);
            if (parsed is { V: "meta.k8s.io/v1", Rv: > 0 } && parsed.Start.StartsWith(prefix, StringComparison.Ordinal))
            {
                return (parsed.Rv, parsed.Start);
            }
        }
        catch (Exception e) when (e is FormatException or JsonException or DecoderFallbackException or ArgumentException)
        {
        }

        throw Problems.BadRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
    }
}
