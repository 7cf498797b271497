using Cetus.Api.Scheme;
using Cetus.ApiServer.Errors;
using Cetus.ApiServer.Handlers;
using Cetus.ApiServer.Registry;
using k8s;
using k8s.Models;

namespace Cetus.ApiServer.Admission;

/// <summary>
/// The ServiceAccount admission plugin (plugin/pkg/admission/serviceaccount): a created pod runs as
/// spec.serviceAccountName (<c>default</c> when it names none), which must exist; unless automounting is turned off
/// (by the pod, or by the service account when the pod does not say), it gets the projected volume
/// <c>kube-api-access-XXXXX</c> (a bound token, the cluster CA from the <c>kube-root-ca.crt</c> ConfigMap and the
/// namespace) mounted read-only at <see cref="TokenMountPath"/> in every container and init container that does
/// not mount something there already, and the service account's imagePullSecrets when it has none of its own.
/// Mirror pods are left as they are but may not reference service accounts, secrets or tokens.
/// </summary>
internal sealed partial class ServiceAccountAdmission(ResourceRegistry registry, Watch.WatchCache cache, ObjectStore objects, ApiServerOptions options, TimeProvider time)
{
    /// <summary>The plugin's name (kube-apiserver's --disable-admission-plugins takes it).</summary>
    public const string Name = "ServiceAccount";

    /// <summary>The service account a pod runs as when it names none.</summary>
    public const string DefaultServiceAccount = "default";

    /// <summary>Where the token, ca.crt and namespace files appear in each container.</summary>
    public const string TokenMountPath = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>The prefix of the token volume's name.</summary>
    public const string VolumePrefix = "kube-api-access-";

    /// <summary>The ConfigMap the root-ca-cert publisher keeps in every namespace.</summary>
    public const string RootCaConfigMap = "kube-root-ca.crt";

    /// <summary>
    /// The token's lifetime: upstream's WarnOnlyBoundTokenExpirationSeconds (one hour and seven seconds, so a token
    /// used past its hour can be told apart in the audit log).
    /// </summary>
    public const long TokenExpirationSeconds = 3607;

    // 0644, set explicitly as upstream does (kubernetes#104464) rather than left to defaulting.
    private const int DefaultMode = 420;

    private const string MirrorAnnotation = "kubernetes.io/config.mirror";
    private const string EnforceMountableSecretsAnnotation = "kubernetes.io/enforce-mountable-secrets";

    // The default service account is made by a controller moments after its namespace: look for it a few more times.
    private const int DefaultAttempts = 10;

    private readonly ResourceDefinition _accounts = registry.Find(string.Empty, "v1", "serviceaccounts")!;

    /// <summary>Runs on pod creates (not on subresources); throws 403 Forbidden as upstream does.</summary>
    public async Task AdmitAsync(ResourceRequest request, IKubernetesObject<V1ObjectMeta> item, IKubernetesObject<V1ObjectMeta>? old)
    {
        if (item is not V1Pod pod || old is not null || !string.IsNullOrEmpty(request.Info.Subresource) || options.DisabledAdmissionPlugins.Contains(Name))
        {
            return;
        }

        var spec = pod.Spec ??= new V1PodSpec();
        if (pod.Metadata.Annotations?.ContainsKey(MirrorAnnotation) == true)
        {
            CheckMirrorPod(request, pod);
            return;
        }

        if (string.IsNullOrEmpty(spec.ServiceAccountName))
        {
            spec.ServiceAccountName = DefaultServiceAccount;
        }

        // The API writes both spellings (serviceAccount is the deprecated one).
        spec.ServiceAccount = spec.ServiceAccountName;
        var account = await FindAsync(request, request.Namespace, spec.ServiceAccountName).ConfigureAwait(false)
            ?? throw Forbidden(request, pod, $"error looking up service account {request.Namespace}/{spec.ServiceAccountName}: serviceaccount \"{spec.ServiceAccountName}\" not found");
        if (spec.AutomountServiceAccountToken ?? account.AutomountServiceAccountToken ?? true)
        {
            MountToken(spec);
        }

        if (spec.ImagePullSecrets is null or { Count: 0 } && account.ImagePullSecrets is { Count: > 0 } pullSecrets)
        {
            spec.ImagePullSecrets = [.. pullSecrets.Select(s => new V1LocalObjectReference { Name = s.Name })];
        }

        // Go's strconv.ParseBool truths.
        if (account.Metadata.Annotations?.TryGetValue(EnforceMountableSecretsAnnotation, out var enforce) == true && enforce is "1" or "t" or "T" or "true" or "TRUE" or "True"
            && MountableSecretsViolation(account, pod) is { } violation)
        {
            throw Forbidden(request, pod, violation);
        }
    }

    /// <summary>The projected volume the plugin adds, as upstream stores it (defaultMode set explicitly).</summary>
    public static V1ProjectedVolumeSource TokenVolumeSource() => new()
    {
        DefaultMode = DefaultMode,
        Sources =
        [
            new V1VolumeProjection { ServiceAccountToken = new V1ServiceAccountTokenProjection { ExpirationSeconds = TokenExpirationSeconds, Path = "token" } },
            new V1VolumeProjection { ConfigMap = new V1ConfigMapProjection { Name = RootCaConfigMap, Items = [new V1KeyToPath { Key = "ca.crt", Path = "ca.crt" }] } },
            new V1VolumeProjection
            {
                DownwardAPI = new V1DownwardAPIProjection
                {
                    Items = [new V1DownwardAPIVolumeFile { Path = "namespace", FieldRef = new V1ObjectFieldSelector { ApiVersion = "v1", FieldPath = "metadata.namespace" } }],
                },
            },
        ],
    };

    // Upstream's mountServiceAccountToken: a volume already named kube-api-access-* is reused (not added again);
    // containers that mount something at the token path keep it.
    private static void MountToken(V1PodSpec spec)
    {
        var existing = spec.Volumes?.FirstOrDefault(v => v.Name?.StartsWith(VolumePrefix, StringComparison.Ordinal) == true);
        var volumeName = existing?.Name ?? ObjectMetadata.GenerateName(VolumePrefix);
        var needed = false;
        foreach (var container in (spec.InitContainers ?? []).Concat(spec.Containers ?? []))
        {
            if (container.VolumeMounts?.Any(m => m.MountPath == TokenMountPath) == true)
            {
                continue;
            }

            (container.VolumeMounts ??= []).Add(new V1VolumeMount { Name = volumeName, ReadOnlyProperty = true, MountPath = TokenMountPath });
            needed = true;
        }

        if (existing is null && needed)
        {
            (spec.Volumes ??= []).Add(new V1Volume { Name = volumeName, Projected = TokenVolumeSource() });
        }
    }

    private static void CheckMirrorPod(ResourceRequest request, V1Pod pod)
    {
        var spec = pod.Spec;
        if (!string.IsNullOrEmpty(spec.ServiceAccountName))
        {
            throw Forbidden(request, pod, "a mirror pod may not reference service accounts");
        }

        if (SecretsOf(pod).Any())
        {
            throw Forbidden(request, pod, "a mirror pod may not reference secrets");
        }

        if (spec.Volumes?.Any(v => v.Projected?.Sources?.Any(s => s.ServiceAccountToken is not null) == true) == true)
        {
            throw Forbidden(request, pod, "a mirror pod may not use ServiceAccountToken volume projections");
        }
    }

    // Upstream's getServiceAccount: the cache first, then the store; the default account a few more times, 100-200 ms
    // apart, since the service-account controller creates it just after its namespace.
    private async Task<V1ServiceAccount?> FindAsync(ResourceRequest request, string ns, string name)
    {
        var key = StorageKeys.Key(_accounts, ns, name);
        if (cache.Get(_accounts, key)?.Item is V1ServiceAccount cached)
        {
            return cached;
        }

        var attempts = name == DefaultServiceAccount ? DefaultAttempts : 1;
        var interval = TimeSpan.FromMilliseconds(100 + Random.Shared.Next(100));
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(interval, time, request.Aborted).ConfigureAwait(false);
            }

            var stored = cache.Get(_accounts, key) ?? await objects.GetAsync(_accounts, ns, name, request.Aborted).ConfigureAwait(false);
            if (stored?.Item is V1ServiceAccount found)
            {
                return found;
            }
        }

        return null;
    }

    private static ApiException Forbidden(ResourceRequest request, V1Pod pod, string why) =>
        Problems.Forbidden(request.Definition.Group, request.Definition.Plural, pod.Metadata.Name ?? string.Empty, why);
}
