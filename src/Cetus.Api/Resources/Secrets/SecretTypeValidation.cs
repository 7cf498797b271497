using System.Text.Json;
using Cetus.Api.Scheme;
using Cetus.Api.Validation;
using k8s.Models;

namespace Cetus.Api.Resources.Secrets;

/// <summary>The keys each built-in Secret type requires (ValidateSecret's switch on type).</summary>
internal static class SecretTypeValidation
{
    private static readonly FieldPath Data = FieldPath.Root("data");

    public static IEnumerable<FieldError> Validate(V1Secret secret)
    {
        var data = secret.Data ?? new Dictionary<string, byte[]>();
        switch (secret.Type)
        {
            case "kubernetes.io/service-account-token":
                if (secret.Metadata?.Annotations?.TryGetValue("kubernetes.io/service-account.name", out var account) != true || string.IsNullOrEmpty(account))
                {
                    yield return FieldErrors.Required(FieldPath.Root("metadata").Child("annotations").Key("kubernetes.io/service-account.name"));
                }

                break;
            case "kubernetes.io/dockercfg":
                foreach (var error in JsonKey(data, ".dockercfg"))
                {
                    yield return error;
                }

                break;
            case "kubernetes.io/dockerconfigjson":
                foreach (var error in JsonKey(data, ".dockerconfigjson"))
                {
                    yield return error;
                }

                break;
            case "kubernetes.io/basic-auth":
                if (!data.ContainsKey("username") && !data.ContainsKey("password"))
                {
                    yield return FieldErrors.Required(Data.Key("username"));
                    yield return FieldErrors.Required(Data.Key("password"));
                }

                break;
            case "kubernetes.io/ssh-auth":
                if (!data.TryGetValue("ssh-privatekey", out var key) || key is not { Length: > 0 })
                {
                    yield return FieldErrors.Required(Data.Key("ssh-privatekey"));
                }

                break;
            case "kubernetes.io/tls":
                if (!data.ContainsKey("tls.crt"))
                {
                    yield return FieldErrors.Required(Data.Key("tls.crt"));
                }

                if (!data.ContainsKey("tls.key"))
                {
                    yield return FieldErrors.Required(Data.Key("tls.key"));
                }

                break;
        }
    }

    // The key must hold a JSON object; the message follows Go's encoding/json for the common failures.
    private static IEnumerable<FieldError> JsonKey(IDictionary<string, byte[]> data, string key)
    {
        if (!data.TryGetValue(key, out var bytes))
        {
            yield return FieldErrors.Required(Data.Key(key));
            yield break;
        }

        var problem = JsonProblem(bytes ?? []);
        if (problem is not null)
        {
            yield return FieldErrors.Invalid(Data.Key(key), "<secret contents redacted>", problem);
        }
    }

    private static string? JsonProblem(byte[] bytes)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? null
                : $"json: cannot unmarshal {GoKind(document.RootElement.ValueKind)} into Go value of type map[string]interface {{}}";
        }
        catch (JsonException)
        {
            var first = System.Text.Encoding.UTF8.GetString(bytes).TrimStart();
            return first.Length == 0 ? "unexpected end of JSON input" : $"invalid character '{first[0]}' looking for beginning of value";
        }
    }

    private static string GoKind(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "bool",
        _ => "null",
    };
}
