using k8s.Models;

namespace Cetus.Api.Scheme;

/// <summary>
/// Where the leading scheduler serves its scheduling decisions (<c>cetus explain pod</c>) when it runs apart from the
/// API server: the leader writes these annotations on its leader-election Lease (kube-system/kube-scheduler), and the
/// API server proxies <c>/debug/scheduler/pods/NS/NAME</c> there. The scheduler's serving certificate is its own
/// (self-signed, as kube-scheduler's when none is given), pinned by its SHA-256 in the Lease; the API server presents
/// its kubelet client certificate, which the scheduler checks against the cluster CA.
/// </summary>
public static class SchedulerEndpoint
{
    /// <summary>The Lease the schedulers elect their leader on.</summary>
    public const string LeaseNamespace = "kube-system";

    /// <summary>The Lease's name.</summary>
    public const string LeaseName = "kube-scheduler";

    /// <summary>The base address of the decisions endpoint, e.g. <c>https://10.0.0.5:10259</c>.</summary>
    public const string UrlAnnotation = "scheduler.cetus.io/decisions-url";

    /// <summary>The holder identity that published the address: a value left by an earlier leader is ignored.</summary>
    public const string HolderAnnotation = "scheduler.cetus.io/decisions-holder";

    /// <summary>The SHA-256 (hex) of the endpoint's serving certificate, which the API server pins.</summary>
    public const string CertificateAnnotation = "scheduler.cetus.io/decisions-certificate-sha256";

    /// <summary>The path of one pod's decision, on the API server and on the scheduler alike.</summary>
    public static string PodPath(string ns, string name) => $"/debug/scheduler/pods/{Uri.EscapeDataString(ns)}/{Uri.EscapeDataString(name)}";

    /// <summary>The 404 message for a pod without a kept decision.</summary>
    public static string NotKeptMessage(string ns, string name) =>
        $"no scheduling decision is kept for pod {ns}/{name}: the scheduler keeps the last attempt of its most recent pods only (a pod bound by another scheduler or with spec.nodeName set has none)";

    /// <summary>The current leader's endpoint from its Lease, or null when none is published by the current holder.</summary>
    public static (Uri Url, string CertificateSha256)? Read(V1Lease? lease)
    {
        var annotations = lease?.Metadata?.Annotations;
        if (annotations is null || string.IsNullOrEmpty(lease!.Spec?.HolderIdentity)
            || !annotations.TryGetValue(HolderAnnotation, out var holder) || holder != lease.Spec.HolderIdentity
            || !annotations.TryGetValue(UrlAnnotation, out var url) || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps
            || !annotations.TryGetValue(CertificateAnnotation, out var sha) || string.IsNullOrEmpty(sha))
        {
            return null;
        }

        return (uri, sha);
    }
}
