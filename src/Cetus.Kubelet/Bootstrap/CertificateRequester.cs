using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Cetus.Kubelet.Bootstrap;

/// <summary>
/// What the node's certificate requests share (its client certificate in <see cref="NodeBootstrap"/>, its serving
/// certificate in <see cref="ServingCertificates"/>): the private key kept on disk, the request's stable name, creating
/// the CertificateSigningRequest and waiting until it is issued, refused or too late, and the renewal rule.
/// </summary>
internal static class CertificateRequester
{
    private static readonly UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Explains a refused API call: what the node tried (e.g. "create a certificate signing request") and the response.</summary>
    public delegate NodeBootstrapException Explainer(HttpOperationException e, string what);

    /// <summary>Explains a refused call the node made with its own certificate (a serving request, a renewal).</summary>
    public static NodeBootstrapException ExplainForNode(HttpOperationException e, string what) => e.Response.StatusCode switch
    {
        HttpStatusCode.Unauthorized => new NodeBootstrapException($"the node's credentials were refused (401) when trying to {what}", e),
        HttpStatusCode.Forbidden => new NodeBootstrapException($"the node may not {what} (403): {Message(e)}", e),
        _ => new NodeBootstrapException($"could not {what} ({(int)e.Response.StatusCode}): {Message(e)}", e),
    };

    /// <summary>Whether a certificate valid from <paramref name="notBefore"/> to <paramref name="notAfter"/> has more than 20 % of its lifetime left.</summary>
    public static bool HasLifeLeft(DateTime notBefore, DateTime notAfter, TimeProvider time)
    {
        var now = time.GetUtcNow().UtcDateTime;
        notBefore = notBefore.ToUniversalTime();
        notAfter = notAfter.ToUniversalTime();
        return now >= notBefore && notAfter - now > (notAfter - notBefore) * 0.2;
    }

    /// <summary>A request name from what identifies it (as the kubelet's digestedName): a restart finds its own request again.</summary>
    public static string Name(string prefix, ECDsa key, params string[] parts) =>
        prefix + Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo().Concat(Encoding.UTF8.GetBytes(string.Join('\n', parts))).ToArray()))[..32];

    /// <summary>Creates the CSR, or reads the one an earlier run with the same name made.</summary>
    public static async Task<V1CertificateSigningRequest> CreateAsync(IKubernetes client, string name, string pem, string signer, IList<string> usages, Explainer explain, CancellationToken cancellationToken)
    {
        var csr = new V1CertificateSigningRequest
        {
            ApiVersion = "certificates.k8s.io/v1",
            Kind = "CertificateSigningRequest",
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1CertificateSigningRequestSpec { Request = Encoding.ASCII.GetBytes(pem), SignerName = signer, Usages = usages },
        };
        try
        {
            return await client.CertificatesV1.CreateCertificateSigningRequestAsync(csr, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // Made by an earlier run with the same key: wait for that one.
            return await ReadAsync(client, name, explain, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e)
        {
            throw explain(e, "create a certificate signing request");
        }
        catch (HttpRequestException e)
        {
            throw new NodeBootstrapException($"cannot reach the API server at {client.BaseUri}: {e.Message}", e);
        }
    }

    /// <summary>Polls the CSR until it has a certificate (returned in PEM); throws when it is denied, failed or not issued in time.</summary>
    public static async Task<string> WaitForCertificateAsync(IKubernetes client, V1CertificateSigningRequest csr, TimeSpan timeout, TimeProvider time, Explainer explain, CancellationToken cancellationToken)
    {
        var name = csr.Metadata.Name;
        var deadline = time.GetUtcNow() + timeout;
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            if (csr.Status?.Conditions?.FirstOrDefault(c => c.Type is "Denied" or "Failed" && c.Status == "True") is { } refused)
            {
                var verb = refused.Type == "Denied" ? "denied" : "not signed (failed)";
                throw new NodeBootstrapException($"the certificate signing request {name} was {verb}: {refused.Reason}: {refused.Message}".TrimEnd(' ', ':'));
            }

            if (csr.Status?.Certificate is { Length: > 0 } certificate)
            {
                return Encoding.ASCII.GetString(certificate);
            }

            if (time.GetUtcNow() >= deadline)
            {
                var approved = csr.Status?.Conditions?.Any(c => c.Type == "Approved" && c.Status == "True") == true;
                throw new NodeBootstrapException(approved
                    ? $"the certificate signing request {name} was approved but not signed within {timeout.TotalSeconds:0} s: is the controller manager running with the cluster CA?"
                    : $"the certificate signing request {name} was not approved within {timeout.TotalSeconds:0} s: approve it with `kubectl certificate approve {name}`");
            }

            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
            csr = await ReadAsync(client, name, explain, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The message of a Status response, or the exception's own.</summary>
    public static string Message(HttpOperationException e)
    {
        try
        {
            return KubernetesJson.Deserialize<V1Status>(e.Response.Content ?? "{}")?.Message ?? e.Message;
        }
        catch (System.Text.Json.JsonException)
        {
            return e.Message;
        }
    }

    /// <summary>The ECDSA P-256 key in <paramref name="path"/>, or a new one written there (0600) when it is missing or unreadable.</summary>
    public static ECDsa LoadOrCreateKey(string path)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        if (File.Exists(path))
        {
            try
            {
                key.ImportFromPem(File.ReadAllText(path));
                return key;
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException)
            {
                // Unreadable: replaced by a new key below.
                key.Dispose();
                key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            }
        }

        WritePrivate(path, key.ExportPkcs8PrivateKeyPem() + "\n");
        return key;
    }

    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/> readable only by its owner, all at once.</summary>
    public static void WritePrivate(string path, string text)
    {
        // Written beside the target with mode 0600 from the start, then renamed over it: never readable by others, never half-written.
        var temporary = path + ".tmp";
        File.Delete(temporary);
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = Private;
        }

        using (var stream = new FileStream(temporary, fileOptions))
        using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
        {
            writer.Write(text);
        }

        File.Move(temporary, path, overwrite: true);
    }

    private static async Task<V1CertificateSigningRequest> ReadAsync(IKubernetes client, string name, Explainer explain, CancellationToken cancellationToken)
    {
        try
        {
            return await client.CertificatesV1.ReadCertificateSigningRequestAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e)
        {
            throw explain(e, "read its certificate signing request");
        }
    }
}
