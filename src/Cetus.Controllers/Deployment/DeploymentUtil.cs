using System.Globalization;
using System.Text.Json.Nodes;
using Cetus.Client;
using k8s;
using k8s.Models;

namespace Cetus.Controllers.Deployment;

/// <summary>pkg/controller/deployment/util: revisions, annotations, fenceposts, hashes and replica counts.</summary>
public static class DeploymentUtil
{
    /// <summary>The revision of a ReplicaSet, copied to its Deployment.</summary>
    public const string RevisionAnnotation = "deployment.kubernetes.io/revision";

    /// <summary>Earlier revisions a ReplicaSet had (after rollbacks).</summary>
    public const string RevisionHistoryAnnotation = "deployment.kubernetes.io/revision-history";

    /// <summary>The Deployment's replicas when the ReplicaSet was last scaled.</summary>
    public const string DesiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas";

    /// <summary>The Deployment's replicas plus maxSurge when the ReplicaSet was last scaled.</summary>
    public const string MaxReplicasAnnotation = "deployment.kubernetes.io/max-replicas";

    /// <summary>The label (and selector term) that ties pods to their template's ReplicaSet.</summary>
    public const string PodTemplateHashLabel = "pod-template-hash";

    private static readonly HashSet<string> NotCopied = new(StringComparer.Ordinal)
    {
        "kubectl.kubernetes.io/last-applied-configuration",
        RevisionAnnotation,
        RevisionHistoryAnnotation,
        DesiredReplicasAnnotation,
        MaxReplicasAnnotation,
        "deprecated.deployment.rollback.to",
    };

    /// <summary>The Deployment's replicas (default 1).</summary>
    public static int Replicas(V1Deployment d) => d.Spec.Replicas ?? 1;

    /// <summary>A ReplicaSet's spec replicas (default 1).</summary>
    public static int Replicas(V1ReplicaSet? rs) => rs?.Spec?.Replicas ?? 1;

    /// <summary>True for the RollingUpdate strategy (the default).</summary>
    public static bool IsRollingUpdate(V1Deployment d) => d.Spec.Strategy?.Type is null or "RollingUpdate";

    /// <summary>
    /// The surge and unavailability a rolling update allows for <paramref name="desired"/> replicas: percentages of
    /// maxSurge round up, of maxUnavailable round down; both zero would deadlock, so unavailability becomes 1.
    /// </summary>
    public static (int MaxSurge, int MaxUnavailable) ResolveFenceposts(IntOrString? maxSurge, IntOrString? maxUnavailable, int desired)
    {
        var surge = Scaled(maxSurge ?? "25%", desired, roundUp: true);
        var unavailable = Scaled(maxUnavailable ?? "25%", desired, roundUp: false);
        return surge == 0 && unavailable == 0 ? (0, 1) : (surge, unavailable);
    }

    /// <summary>An int-or-percent resolved against <paramref name="total"/>.</summary>
    public static int Scaled(IntOrString value, int total, bool roundUp)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = value.Value ?? "0";
        if (text.EndsWith('%'))
        {
            var percent = int.Parse(text[..^1], CultureInfo.InvariantCulture);
            var exact = percent * (double)total / 100;
            return (int)(roundUp ? Math.Ceiling(exact) : Math.Floor(exact));
        }

        return int.Parse(text, CultureInfo.InvariantCulture);
    }

    /// <summary>The surge the Deployment allows (0 unless RollingUpdate).</summary>
    public static int MaxSurge(V1Deployment d)
    {
        if (!IsRollingUpdate(d))
        {
            return 0;
        }

        var rolling = d.Spec.Strategy?.RollingUpdate;
        return ResolveFenceposts(rolling?.MaxSurge, rolling?.MaxUnavailable, Replicas(d)).MaxSurge;
    }

    /// <summary>The unavailability the Deployment allows (0 unless RollingUpdate, never more than its replicas).</summary>
    public static int MaxUnavailable(V1Deployment d)
    {
        if (!IsRollingUpdate(d) || Replicas(d) == 0)
        {
            return 0;
        }

        var rolling = d.Spec.Strategy?.RollingUpdate;
        var unavailable = ResolveFenceposts(rolling?.MaxSurge, rolling?.MaxUnavailable, Replicas(d)).MaxUnavailable;
        return Math.Min(unavailable, Replicas(d));
    }

    /// <summary>The revision annotation as a number (0 when missing or not a number).</summary>
    public static long Revision(IMetadata<V1ObjectMeta>? obj) =>
        obj?.Metadata?.Annotations?.TryGetValue(RevisionAnnotation, out var value) == true && long.TryParse(value, CultureInfo.InvariantCulture, out var revision) ? revision : 0;

    /// <summary>The highest revision of the ReplicaSets.</summary>
    public static long MaxRevision(IEnumerable<V1ReplicaSet> replicaSets) => replicaSets.Select(rs => Revision(rs)).DefaultIfEmpty(0).Max();

    /// <summary>The pod-template-hash of a template and collision count (FNV-1a, encoded with Kubernetes' safe alphabet).</summary>
    public static string ComputeHash(V1PodTemplateSpec template, int? collisionCount)
    {
        var json = KubernetesJson.Serialize(template);
        uint hash = 2166136261;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(json))
        {
            hash = unchecked((hash ^ b) * 16777619);
        }

        if (collisionCount is { } count)
        {
            foreach (var b in BitConverter.GetBytes((uint)count))
            {
                hash = unchecked((hash ^ b) * 16777619);
            }
        }

        return SafeEncode(hash.ToString(CultureInfo.InvariantCulture));
    }

    // k8s.io/apimachinery/pkg/util/rand.SafeEncodeString: no vowels (no words), no look-alike characters.
    private static string SafeEncode(string s)
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        return string.Concat(s.Select(c => alphabet[c % alphabet.Length]));
    }

    /// <summary>True when two pod templates are equal once the pod-template-hash label is ignored.</summary>
    public static bool EqualIgnoreHash(V1PodTemplateSpec? a, V1PodTemplateSpec? b)
    {
        return JsonNode.DeepEquals(Normalise(a), Normalise(b));

        static JsonNode? Normalise(V1PodTemplateSpec? template)
        {
            if (template is null)
            {
                return null;
            }

            var node = JsonNode.Parse(KubernetesJson.Serialize(template));
            if (node?["metadata"]?["labels"] is JsonObject labels)
            {
                labels.Remove(PodTemplateHashLabel);
            }

            Prune(node);
            return node;
        }

        // The client writes empty maps and lists where the server omits them: treat both alike.
        static void Prune(JsonNode? node)
        {
            if (node is JsonObject obj)
            {
                foreach (var (name, value) in obj.ToList())
                {
                    Prune(value);
                    if (value is null || value is JsonObject { Count: 0 } || value is JsonArray { Count: 0 })
                    {
                        obj.Remove(name);
                    }
                }
            }
            else if (node is JsonArray array)
            {
                foreach (var item in array)
                {
                    Prune(item);
                }
            }
        }
    }

    /// <summary>The ReplicaSet whose template is the Deployment's (the oldest if several), or null.</summary>
    public static V1ReplicaSet? FindNewReplicaSet(V1Deployment d, IEnumerable<V1ReplicaSet> replicaSets) =>
        ByCreation(replicaSets).FirstOrDefault(rs => EqualIgnoreHash(rs.Spec.Template, d.Spec.Template));

    /// <summary>Every ReplicaSet but <paramref name="newRs"/>.</summary>
    public static List<V1ReplicaSet> FindOldReplicaSets(IEnumerable<V1ReplicaSet> replicaSets, V1ReplicaSet? newRs) =>
        [.. replicaSets.Where(rs => newRs is null || rs.Metadata.Uid != newRs.Metadata.Uid)];

    /// <summary>Oldest first, then by name.</summary>
    public static IEnumerable<V1ReplicaSet> ByCreation(IEnumerable<V1ReplicaSet> replicaSets) =>
        replicaSets.OrderBy(rs => rs.Metadata.CreationTimestamp ?? DateTime.MinValue).ThenBy(rs => rs.Metadata.Name, StringComparer.Ordinal);

    /// <summary>ReplicaSets with replicas.</summary>
    public static List<V1ReplicaSet> Active(IEnumerable<V1ReplicaSet?> replicaSets) => [.. replicaSets.OfType<V1ReplicaSet>().Where(rs => Replicas(rs) > 0)];

    /// <summary>Sum of spec replicas.</summary>
    public static int SpecReplicas(IEnumerable<V1ReplicaSet?> replicaSets) => replicaSets.OfType<V1ReplicaSet>().Sum(Replicas);

    /// <summary>Sum of status replicas.</summary>
    public static int ActualReplicas(IEnumerable<V1ReplicaSet?> replicaSets) => replicaSets.OfType<V1ReplicaSet>().Sum(rs => rs.Status?.Replicas ?? 0);

    /// <summary>Sum of ready replicas.</summary>
    public static int ReadyReplicas(IEnumerable<V1ReplicaSet?> replicaSets) => replicaSets.OfType<V1ReplicaSet>().Sum(rs => rs.Status?.ReadyReplicas ?? 0);

    /// <summary>Sum of available replicas.</summary>
    public static int AvailableReplicas(IEnumerable<V1ReplicaSet?> replicaSets) => replicaSets.OfType<V1ReplicaSet>().Sum(rs => rs.Status?.AvailableReplicas ?? 0);

    /// <summary>An int annotation, or null.</summary>
    public static int? IntAnnotation(V1ReplicaSet rs, string name) =>
        rs.Metadata.Annotations?.TryGetValue(name, out var value) == true && int.TryParse(value, CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>Sets desired-replicas and max-replicas; true when they changed.</summary>
    public static bool SetReplicasAnnotations(V1ReplicaSet rs, int desired, int max)
    {
        var annotations = rs.Metadata.Annotations ??= new Dictionary<string, string>();
        var changed = false;
        foreach (var (name, value) in new[] { (DesiredReplicasAnnotation, desired), (MaxReplicasAnnotation, max) })
        {
            var text = value.ToString(CultureInfo.InvariantCulture);
            if (!annotations.TryGetValue(name, out var old) || old != text)
            {
                annotations[name] = text;
                changed = true;
            }
        }

        return changed;
    }

    /// <summary>True when desired-replicas or max-replicas differ from these values.</summary>
    public static bool ReplicasAnnotationsNeedUpdate(V1ReplicaSet rs, int desired, int max) =>
        IntAnnotation(rs, DesiredReplicasAnnotation) != desired || IntAnnotation(rs, MaxReplicasAnnotation) != max;

    /// <summary>
    /// Copies the Deployment's annotations to the new ReplicaSet, raises its revision to <paramref name="newRevision"/>
    /// (keeping the old one in revision-history) and, for a ReplicaSet about to be created, sets the replicas annotations.
    /// </summary>
    public static bool SetNewReplicaSetAnnotations(V1Deployment d, V1ReplicaSet rs, string newRevision, bool exists)
    {
        var annotations = rs.Metadata.Annotations ??= new Dictionary<string, string>();
        var changed = false;
        foreach (var (name, value) in d.Metadata.Annotations ?? new Dictionary<string, string>())
        {
            if (!NotCopied.Contains(name) && (!annotations.TryGetValue(name, out var old) || old != value))
            {
                annotations[name] = value;
                changed = true;
            }
        }

        annotations.TryGetValue(RevisionAnnotation, out var oldRevision);
        long oldNumber = 0;
        if (!string.IsNullOrEmpty(oldRevision) && !long.TryParse(oldRevision, CultureInfo.InvariantCulture, out oldNumber))
        {
            return false;
        }

        var newNumber = long.Parse(newRevision, CultureInfo.InvariantCulture);
        if (oldNumber < newNumber)
        {
            annotations[RevisionAnnotation] = newRevision;
            changed = true;
            if (!string.IsNullOrEmpty(oldRevision))
            {
                annotations[RevisionHistoryAnnotation] = annotations.TryGetValue(RevisionHistoryAnnotation, out var history) && history.Length > 0
                    ? history + "," + oldRevision
                    : oldRevision;
            }
        }

        if (!exists && SetReplicasAnnotations(rs, Replicas(d), Replicas(d) + MaxSurge(d)))
        {
            changed = true;
        }

        return changed;
    }

    /// <summary>Sets the Deployment's revision annotation; true when it changed.</summary>
    public static bool SetDeploymentRevision(V1Deployment d, string? revision)
    {
        var annotations = d.Metadata.Annotations ??= new Dictionary<string, string>();
        if (revision is null || (annotations.TryGetValue(RevisionAnnotation, out var old) && old == revision))
        {
            return false;
        }

        annotations[RevisionAnnotation] = revision;
        return true;
    }

    /// <summary>How many replicas the new ReplicaSet may have now (NewRSNewReplicas).</summary>
    public static int NewReplicaSetReplicas(V1Deployment d, IEnumerable<V1ReplicaSet?> all, V1ReplicaSet newRs)
    {
        if (!IsRollingUpdate(d))
        {
            return Replicas(d);
        }

        var maxSurge = Scaled(d.Spec.Strategy?.RollingUpdate?.MaxSurge ?? "25%", Replicas(d), roundUp: true);
        var current = SpecReplicas(all);
        var maxTotal = Replicas(d) + maxSurge;
        if (current >= maxTotal)
        {
            return Replicas(newRs);
        }

        var scaleUp = Math.Min(maxTotal - current, Replicas(d) - Replicas(newRs));
        return Replicas(newRs) + scaleUp;
    }

    /// <summary>True when the ReplicaSet runs all the Deployment's replicas, all available.</summary>
    public static bool IsSaturated(V1Deployment d, V1ReplicaSet? rs) =>
        rs is not null
        && IntAnnotation(rs, DesiredReplicasAnnotation) == Replicas(d)
        && Replicas(rs) == Replicas(d)
        && (rs.Status?.AvailableReplicas ?? 0) == Replicas(d);

    /// <summary>The one active ReplicaSet, or the newest when none is active; null when several are active.</summary>
    public static V1ReplicaSet? FindActiveOrLatest(V1ReplicaSet? newRs, IReadOnlyList<V1ReplicaSet> oldRs)
    {
        if (newRs is null && oldRs.Count == 0)
        {
            return null;
        }

        var newestOld = ByCreation(oldRs).Reverse().ToList();
        var active = Active(newestOld.Append(newRs));
        return active.Count switch
        {
            0 => newRs ?? newestOld[0],
            1 => active[0],
            _ => null,
        };
    }

    /// <summary>The share of <paramref name="toAdd"/> this ReplicaSet gets in a proportional scale (GetProportion).</summary>
    public static int Proportion(V1ReplicaSet rs, V1Deployment d, int toAdd, int added)
    {
        if (Replicas(rs) == 0 || toAdd == 0 || toAdd == added)
        {
            return 0;
        }

        var fraction = Fraction(rs, d);
        var allowed = toAdd - added;
        return toAdd > 0 ? Math.Min(fraction, allowed) : Math.Max(fraction, allowed);
    }

    private static int Fraction(V1ReplicaSet rs, V1Deployment d)
    {
        if (Replicas(d) == 0)
        {
            return -Replicas(rs);
        }

        var deploymentReplicas = Replicas(d) + MaxSurge(d);
        var annotated = IntAnnotation(rs, MaxReplicasAnnotation) ?? d.Status?.Replicas ?? 0;
        if (annotated == 0)
        {
            annotated = d.Status?.Replicas ?? 0;
        }

        // Go's math.Round: halves away from zero.
        var size = annotated == 0 ? 0 : (double)Replicas(rs) * deploymentReplicas / annotated;
        return (int)Math.Round(size, MidpointRounding.AwayFromZero) - Replicas(rs);
    }

    /// <summary>A deep copy of the template with the pod-template-hash label set.</summary>
    public static V1PodTemplateSpec TemplateWithHash(V1PodTemplateSpec template, string hash)
    {
        var copy = Objects.Clone(template);
        copy.Metadata ??= new V1ObjectMeta();
        copy.Metadata.Labels = new Dictionary<string, string>(copy.Metadata.Labels ?? new Dictionary<string, string>()) { [PodTemplateHashLabel] = hash };
        return copy;
    }
}
