using Cetus.Api.Resources.PriorityClasses;
using Cetus.Api.Scheme;
using Cetus.ApiServer.Errors;
using Cetus.ApiServer.Handlers;
using Cetus.ApiServer.Registry;
using k8s;
using k8s.Models;

namespace Cetus.ApiServer.Admission;

/// <summary>
/// The Priority admission plugin (plugin/pkg/admission/priority): a created pod gets the priority and preemption
/// policy of its spec.priorityClassName (or of the globalDefault class when it names none); a PriorityClass may be
/// globalDefault only when no other is.
/// </summary>
internal sealed class PriorityAdmission(ResourceRegistry registry, Watch.WatchCache cache, ObjectStore objects)
{
    private readonly ResourceDefinition classes = registry.Find("scheduling.k8s.io", "v1", "priorityclasses")!;

    /// <summary>Runs on creates (old null) and updates; throws 403 Forbidden as upstream does.</summary>
    public async Task AdmitAsync(ResourceRequest request, IKubernetesObject<V1ObjectMeta> item, IKubernetesObject<V1ObjectMeta>? old)
    {
        if (item is V1Pod pod && old is null && string.IsNullOrEmpty(request.Info.Subresource))
        {
            await AdmitPodAsync(request, pod).ConfigureAwait(false);
        }
        else if (item is V1PriorityClass priorityClass && priorityClass.GlobalDefault == true && (old as V1PriorityClass)?.GlobalDefault != true)
        {
            var other = All().FirstOrDefault(c => c.GlobalDefault == true && c.Metadata.Name != priorityClass.Metadata.Name);
            if (other is not null)
            {
                throw Forbidden(request, priorityClass.Metadata.Name, $"PriorityClass {other.Metadata.Name} is marked as default. Only one default can exist");
            }
        }
    }

    private async Task AdmitPodAsync(ResourceRequest request, V1Pod pod)
    {
        var spec = pod.Spec ??= new V1PodSpec();
        int priority;
        string? policy;
        if (string.IsNullOrEmpty(spec.PriorityClassName))
        {
            // Without a default class the priority is 0 and the policy PreemptLowerPriority; with several (a race), the
            // lowest wins.
            var global = All().Where(c => c.GlobalDefault == true).OrderBy(c => c.Value).FirstOrDefault();
            spec.PriorityClassName = global?.Metadata.Name;
            priority = global?.Value ?? 0;
            policy = global is null ? SystemPriorityClasses.PreemptLowerPriority : global.PreemptionPolicy;
        }
        else
        {
            // The cache answers almost always; a class created a moment ago may not have reached it yet.
            var stored = cache.Get(classes, StorageKeys.Key(classes, string.Empty, spec.PriorityClassName))
                ?? await objects.GetAsync(classes, string.Empty, spec.PriorityClassName, request.Aborted).ConfigureAwait(false);
            var found = stored?.Item as V1PriorityClass
                ?? throw Forbidden(request, pod.Metadata.Name, $"no PriorityClass with name {spec.PriorityClassName} was found");
            priority = found.Value ?? 0;
            policy = found.PreemptionPolicy;
        }

        if (spec.Priority is { } given && given != priority)
        {
            throw Forbidden(request, pod.Metadata.Name, $"the integer value of priority ({given}) must not be provided in pod spec; priority admission controller computed {priority} from the given PriorityClass name");
        }

        spec.Priority = priority;
        if (policy is not null)
        {
            if (spec.PreemptionPolicy is { } givenPolicy && givenPolicy != policy)
            {
                throw Forbidden(request, pod.Metadata.Name, $"the string value of PreemptionPolicy ({givenPolicy}) must not be provided in pod spec; priority admission controller computed {policy} from the given PriorityClass name");
            }

            spec.PreemptionPolicy = policy;
        }
    }

    private IEnumerable<V1PriorityClass> All() => cache.List(classes, string.Empty).Items.Select(o => o.Item).OfType<V1PriorityClass>();

    private static ApiException Forbidden(ResourceRequest request, string? name, string why) =>
        Problems.Forbidden(request.Definition.Group, request.Definition.Plural, name ?? string.Empty, why);
}
