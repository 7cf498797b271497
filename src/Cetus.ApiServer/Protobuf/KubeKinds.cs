using System.Collections.Frozen;
using Cetus.ApiServer.Protobuf.Kube.AppsV1;
using Cetus.ApiServer.Protobuf.Kube.AuthenticationV1;
using Cetus.ApiServer.Protobuf.Kube.AuthorizationV1;
using Cetus.ApiServer.Protobuf.Kube.AutoscalingV1;
using Cetus.ApiServer.Protobuf.Kube.BatchV1;
using Cetus.ApiServer.Protobuf.Kube.CertificatesV1;
using Cetus.ApiServer.Protobuf.Kube.CoordinationV1;
using Cetus.ApiServer.Protobuf.Kube.CoreV1;
using Cetus.ApiServer.Protobuf.Kube.NetworkingV1;
using Cetus.ApiServer.Protobuf.Kube.PolicyV1;
using Cetus.ApiServer.Protobuf.Kube.RbacV1;
using Cetus.ApiServer.Protobuf.Kube.SchedulingV1;
using Google.Protobuf.Reflection;
using DeleteOptions = Cetus.ApiServer.Protobuf.Kube.MetaV1.DeleteOptions;

namespace Cetus.ApiServer.Protobuf;

/// <summary>
/// The kinds whose protobuf bodies Cetus decodes, by apiVersion and kind. A kind's message has the kind's name. To add
/// one: add its message to ROOTS in scripts/kube-proto/generate.py, regenerate, and list it here.
/// </summary>
internal static class KubeKinds
{
    private static readonly FrozenDictionary<(string ApiVersion, string Kind), MessageDescriptor> Messages = Build();

    /// <summary>Every supported apiVersion and kind.</summary>
    public static IReadOnlyCollection<(string ApiVersion, string Kind)> All => Messages.Keys;

    /// <summary>The message of an apiVersion and kind, or null when Cetus has no schema for it.</summary>
    public static MessageDescriptor? Find(string apiVersion, string kind) =>
        Messages.GetValueOrDefault((apiVersion, kind));

    private static FrozenDictionary<(string, string), MessageDescriptor> Build()
    {
        var kinds = new Dictionary<(string, string), MessageDescriptor>();
        Add(kinds, "v1", Binding.Descriptor, ConfigMap.Descriptor, Endpoints.Descriptor, Event.Descriptor,
            Namespace.Descriptor, Pod.Descriptor, ResourceQuota.Descriptor, Secret.Descriptor, Service.Descriptor,
            ServiceAccount.Descriptor);
        Add(kinds, "apps/v1", ControllerRevision.Descriptor, DaemonSet.Descriptor, Deployment.Descriptor,
            ReplicaSet.Descriptor, StatefulSet.Descriptor);
        Add(kinds, "authentication.k8s.io/v1", SelfSubjectReview.Descriptor, TokenRequest.Descriptor, TokenReview.Descriptor);
        Add(kinds, "authorization.k8s.io/v1", LocalSubjectAccessReview.Descriptor, SelfSubjectAccessReview.Descriptor,
            SelfSubjectRulesReview.Descriptor, SubjectAccessReview.Descriptor);
        Add(kinds, "autoscaling/v1", Scale.Descriptor);
        Add(kinds, "batch/v1", CronJob.Descriptor, Job.Descriptor);
        Add(kinds, "certificates.k8s.io/v1", CertificateSigningRequest.Descriptor);
        Add(kinds, "coordination.k8s.io/v1", Lease.Descriptor);
        Add(kinds, "networking.k8s.io/v1", Ingress.Descriptor);
        Add(kinds, "policy/v1", Eviction.Descriptor, PodDisruptionBudget.Descriptor);
        Add(kinds, "rbac.authorization.k8s.io/v1", ClusterRole.Descriptor, ClusterRoleBinding.Descriptor, Role.Descriptor,
            RoleBinding.Descriptor);
        Add(kinds, "scheduling.k8s.io/v1", PriorityClass.Descriptor);

        // metav1.AddToGroupVersion registers the option types, DeleteOptions among them, in every served group version;
        // meta.k8s.io/v1 is their own.
        foreach (var apiVersion in kinds.Keys.Select(k => k.Item1).Append("meta.k8s.io/v1").Distinct().ToList())
        {
            kinds.Add((apiVersion, "DeleteOptions"), DeleteOptions.Descriptor);
        }

        return kinds.ToFrozenDictionary();
    }

    private static void Add(Dictionary<(string, string), MessageDescriptor> kinds, string apiVersion, params MessageDescriptor[] messages)
    {
        foreach (var message in messages)
        {
            kinds.Add((apiVersion, message.Name), message);
        }
    }
}
