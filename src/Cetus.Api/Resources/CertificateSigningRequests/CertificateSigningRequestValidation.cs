using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Cetus.Api.Scheme;
using Cetus.Api.Validation;
using k8s.Models;

namespace Cetus.Api.Resources.CertificateSigningRequests;

/// <summary>pkg/apis/certificates/validation for certificates.k8s.io/v1, with upstream's wording.</summary>
public static class CertificateSigningRequestValidation
{
    /// <summary>The key usages a CSR may ask for (certificates.KeyUsage).</summary>
    public static readonly IReadOnlyList<string> KnownUsages =
    [
        "signing", "digital signature", "content commitment", "key encipherment", "key agreement", "data encipherment",
        "cert sign", "crl sign", "encipher only", "decipher only", "any", "server auth", "client auth", "code signing",
        "email protection", "s/mime", "ipsec end system", "ipsec tunnel", "ipsec user", "timestamping", "ocsp signing",
        "microsoft sgc", "netscape sgc",
    ];

    private static readonly FieldPath SpecPath = FieldPath.Root("spec");
    private static readonly FieldPath StatusPath = FieldPath.Root("status");

    /// <summary>
    /// Parses a PEM "CERTIFICATE REQUEST" and checks its signature; null with upstream's reason when it is not one.
    /// </summary>
    public static (CertificateRequest? Request, string? Error) ParseRequest(byte[]? pem)
    {
        if (pem is null || pem.Length == 0)
        {
            return (null, "PEM block type must be CERTIFICATE REQUEST");
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(pem);
        }
        catch (DecoderFallbackException)
        {
            return (null, "PEM block type must be CERTIFICATE REQUEST");
        }

        if (!PemEncoding.TryFind(text, out var fields) || text[fields.Label] != "CERTIFICATE REQUEST")
        {
            return (null, "PEM block type must be CERTIFICATE REQUEST");
        }

        try
        {
            return (CertificateRequest.LoadSigningRequestPem(text, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions), null);
        }
        catch (CryptographicException e)
        {
            return (null, e.Message);
        }
    }

    /// <summary>The spec's errors: request, usages, signerName, expirationSeconds.</summary>
    public static IEnumerable<FieldError> Spec(V1CertificateSigningRequestSpec? spec)
    {
        spec ??= new V1CertificateSigningRequestSpec();
        var (_, error) = ParseRequest(spec.Request);
        if (error is not null)
        {
            // Upstream prints the bytes as a Go []byte; the request is not echoed here.
            yield return FieldErrors.Invalid(SpecPath.Child("request"), "<request data>", error);
        }

        if (spec.Usages is not { Count: > 0 })
        {
            yield return FieldErrors.Required(SpecPath.Child("usages"));
        }
        else
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < spec.Usages.Count; i++)
            {
                var usage = spec.Usages[i];
                if (!KnownUsages.Contains(usage))
                {
                    yield return FieldErrors.NotSupported(SpecPath.Child("usages").Index(i), usage, KnownUsages);
                }
                else if (!seen.Add(usage))
                {
                    yield return FieldErrors.Duplicate(SpecPath.Child("usages").Index(i), usage);
                }
            }
        }

        foreach (var signerError in SignerName(spec.SignerName))
        {
            yield return signerError;
        }

        if (spec.ExpirationSeconds is < 600)
        {
            yield return FieldErrors.Invalid(SpecPath.Child("expirationSeconds"), spec.ExpirationSeconds.Value, "may not specify a duration less than 600 seconds (10 minutes)");
        }
    }

    /// <summary>The status's errors: known condition statuses, Approved and Denied exclusive and never removed, the certificate PEM and set once.</summary>
    public static IEnumerable<FieldError> Status(V1CertificateSigningRequestStatus? status, V1CertificateSigningRequestStatus? old)
    {
        var conditions = status?.Conditions ?? [];
        var path = StatusPath.Child("conditions");
        var types = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < conditions.Count; i++)
        {
            var condition = conditions[i];
            if (string.IsNullOrEmpty(condition.Type))
            {
                yield return FieldErrors.Required(path.Index(i).Child("type"));
            }
            else if (condition.Type is "Approved" or "Denied" or "Failed" && !types.Add(condition.Type))
            {
                yield return FieldErrors.Duplicate(path.Index(i).Child("type"), condition.Type);
            }

            if (condition.Status is not ("True" or "False" or "Unknown"))
            {
                yield return string.IsNullOrEmpty(condition.Status)
                    ? FieldErrors.Required(path.Index(i).Child("status"))
                    : FieldErrors.NotSupported(path.Index(i).Child("status"), condition.Status, ["False", "True", "Unknown"]);
            }
        }

        if (types.Contains("Approved") && types.Contains("Denied"))
        {
            yield return FieldErrors.Invalid(path, conditions.Count, "Approved and Denied conditions are mutually exclusive");
        }

        foreach (var type in new[] { "Approved", "Denied" })
        {
            if (old?.Conditions?.Any(c => c.Type == type) == true && !types.Contains(type))
            {
                yield return FieldErrors.Forbidden(path, $"updates may not remove a condition of type \"{type}\"");
            }
        }

        var certificate = status?.Certificate;
        if (certificate is { Length: > 0 })
        {
            if (old?.Certificate is { Length: > 0 } previous && !previous.AsSpan().SequenceEqual(certificate))
            {
                yield return FieldErrors.Forbidden(StatusPath.Child("certificate"), "updates may not modify existing certificate content");
            }
            else if (!IsCertificatePem(certificate))
            {
                yield return FieldErrors.Invalid(StatusPath.Child("certificate"), "<certificate data>", "must contain at least one CERTIFICATE PEM block");
            }
        }
    }

    private static IEnumerable<FieldError> SignerName(string? signerName)
    {
        var path = SpecPath.Child("signerName");
        if (string.IsNullOrEmpty(signerName))
        {
            yield return FieldErrors.Required(path);
            yield break;
        }

        var slash = signerName.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == signerName.Length - 1)
        {
            yield return FieldErrors.Invalid(path, signerName, "must be a fully qualified domain and path of the form 'example.com/signer-name'");
            yield break;
        }

        foreach (var message in DnsNames.IsDns1123Subdomain(signerName[..slash]))
        {
            yield return FieldErrors.Invalid(path, signerName, message);
        }

        if (signerName.Length > 571)
        {
            yield return FieldErrors.TooLong(path, 571);
        }
    }

    private static bool IsCertificatePem(byte[] data)
    {
        var text = Encoding.UTF8.GetString(data);
        var found = false;
        while (PemEncoding.TryFind(text, out var fields))
        {
            if (text[fields.Label] != "CERTIFICATE")
            {
                return false;
            }

            found = true;
            text = text[fields.Location.End..];
        }

        return found;
    }
}
