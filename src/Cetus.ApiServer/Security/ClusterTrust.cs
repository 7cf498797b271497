using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Cetus.ApiServer.Security;

/// <summary>Chains certificates to the cluster CA alone: no system roots, no downloads, no revocation lists.</summary>
internal static class ClusterTrust
{
    /// <summary>
    /// Builds the chain of <paramref name="leaf"/> up to <paramref name="ca"/> as of <paramref name="at"/>, requiring
    /// <paramref name="usage"/> when given; returns the problems found, none when the certificate is trusted.
    /// </summary>
    public static IReadOnlyList<string> Problems(X509Certificate2 leaf, X509Certificate2 ca, DateTimeOffset at, Oid? usage)
    {
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.Add(ca);
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true;
        policy.VerificationTime = at.UtcDateTime;
        policy.VerificationTimeIgnored = false;
        if (usage is not null)
        {
            policy.ApplicationPolicy.Add(usage);
        }

        if (chain.Build(leaf))
        {
            return [];
        }

        var problems = chain.ChainStatus
            .Where(s => s.Status != X509ChainStatusFlags.NoError)
            .Select(s => Describe(s.Status, usage))
            .Distinct()
            .ToList();
        return problems.Count > 0 ? problems : ["the certificate chain could not be built"];
    }

    private static string Describe(X509ChainStatusFlags status, Oid? usage) => status switch
    {
        X509ChainStatusFlags.NotTimeValid => "the certificate has expired or is not yet valid",
        X509ChainStatusFlags.UntrustedRoot or X509ChainStatusFlags.PartialChain => "the certificate is not signed by the cluster CA",
        X509ChainStatusFlags.NotSignatureValid => "the certificate signature is invalid",
        X509ChainStatusFlags.NotValidForUsage => $"the certificate is not valid for {usage?.FriendlyName ?? usage?.Value}",
        _ => $"the certificate is not trusted ({status})",
    };
}
