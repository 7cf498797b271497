using Cetus.Client;
using Cetus.Client.Dynamic;
using Cetus.Controllers.Common;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Cetus.Controllers.Namespace;

/// <summary>Deleting a namespace's content (deletion/namespaced_resources_deleter.go).</summary>
public sealed partial class NamespaceController
{
    private const int PageSize = 500;

    // Deletes every namespaced resource in the namespace and reports the conditions; returns the estimate in
    // seconds of how long what remains will take to go (0: nothing remains). Throws when something failed.
    private async Task<long> DeleteAllContentAsync(V1Namespace ns, CancellationToken cancellationToken)
    {
        var name = ns.Metadata.Name;
        var conditions = new NamespaceConditions();
        var errors = new List<string>();
        var estimate = 0L;
        var remainingByResource = new Dictionary<string, int>(StringComparer.Ordinal);
        var remainingByFinalizer = new Dictionary<string, int>(StringComparer.Ordinal);
        IReadOnlyList<ApiResource> resources = [];
        try
        {
            resources = await _dynamic.DiscoverAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PartialDiscoveryException e)
        {
            // Delete what can be found; the namespace stays until every group answers (upstream does the same).
            resources = e.Resources;
            conditions.DiscoveryFailed($"Discovery failed for some groups, {e.FailedGroups.Count} failing: {e.Message}");
            errors.Add(e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            conditions.DiscoveryFailed($"Discovery failed for some groups: {e.Message}");
            errors.Add(e.Message);
        }

        var deletedAt = new DateTimeOffset(DateTime.SpecifyKind(ns.Metadata.DeletionTimestamp!.Value, DateTimeKind.Utc));
        foreach (var resource in resources.Where(r => r.Namespaced && r.Supports("delete")))
        {
            try
            {
                var (resourceEstimate, remaining, finalizers) = await DeleteAllContentAsync(resource, name, deletedAt, cancellationToken).ConfigureAwait(false);
                estimate = Math.Max(estimate, resourceEstimate);
                if (remaining > 0)
                {
                    remainingByResource[$"{resource.Resource}.{resource.Group}"] = remaining;
                    foreach (var (finalizer, count) in finalizers)
                    {
                        remainingByFinalizer[finalizer] = remainingByFinalizer.GetValueOrDefault(finalizer) + count;
                    }
                }
            }
            catch (ContentRemainsException e)
            {
                estimate = Math.Max(estimate, e.Estimate);
                remainingByResource[$"{resource.Resource}.{resource.Group}"] = e.Remaining;
                errors.Add(e.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                errors.Add(e.Message);
            }
        }

        if (errors.Count > 0)
        {
            conditions.DeleteContentFailed(Aggregate(errors));
        }

        conditions.ContentTotals(remainingByResource, remainingByFinalizer);
        var updated = Objects.Clone(ns);
        if (conditions.Apply(updated, Truncate(_time.GetUtcNow())))
        {
            try
            {
                await _client.UpdateStatusAsync(updated, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The conditions are informative: the next pass writes them again.
                _logger.LogInformation("{Controller}: could not update the conditions of namespace {Namespace}: {Error}", Name, name, e.Message);
            }
        }

        if (errors.Count > 0)
        {
            throw new InvalidOperationException(Aggregate(errors));
        }

        return estimate;
    }

    // One resource: delete the collection (or each item), then see what is left.
    private async Task<(long Estimate, int Remaining, Dictionary<string, int> Finalizers)> DeleteAllContentAsync(
        ApiResource resource, string ns, DateTimeOffset deletedAt, CancellationToken cancellationToken)
    {
        var estimate = await EstimateGracefulTerminationAsync(resource, ns, deletedAt, cancellationToken).ConfigureAwait(false);
        var background = new V1DeleteOptions { PropagationPolicy = "Background" };
        var collectionDeleted = false;
        if (resource.Supports("deletecollection"))
        {
            try
            {
                await _dynamic.DeleteCollectionAsync(resource, ns, background, cancellationToken).ConfigureAwait(false);
                collectionDeleted = true;
            }
            catch (Exception e) when (ApiErrors.IsNotFound(e) || IsMethodNotAllowed(e))
            {
            }
        }

        if (!resource.Supports("list"))
        {
            return (estimate, 0, []);
        }

        if (!collectionDeleted)
        {
            foreach (var item in await ListAllAsync(resource, ns, cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await _dynamic.DeleteAsync(resource, ns, item.Metadata.Name, new V1DeleteOptions { PropagationPolicy = "Background" }, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (ApiErrors.IsNotFound(e) || IsMethodNotAllowed(e))
                {
                }
            }
        }

        var remaining = await ListAllAsync(resource, ns, cancellationToken).ConfigureAwait(false);
        var finalizers = remaining.SelectMany(i => i.Metadata.Finalizers ?? []).GroupBy(f => f, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        if (estimate != 0 || remaining.Count == 0)
        {
            return (estimate, remaining.Count, finalizers);
        }

        if (finalizers.Count > 0)
        {
            // Finalizers are a normal reason to wait (the garbage collector, for one).
            return (FinalizerEstimateSeconds, remaining.Count, finalizers);
        }

        throw new ContentRemainsException(
            $"unexpected items still remain in namespace: {ns} for gvr: {resource.Group}/{resource.Version}, Resource={resource.Resource}", estimate, remaining.Count);
    }

    // Pods terminate gracefully: wait up to the longest grace period of a pod still running, counted from the
    // namespace's deletion.
    private async Task<long> EstimateGracefulTerminationAsync(ApiResource resource, string ns, DateTimeOffset deletedAt, CancellationToken cancellationToken)
    {
        if (resource.Group.Length != 0 || resource.Resource != "pods")
        {
            return 0;
        }

        var pods = await _client.ListPodsAsync(ns, cancellationToken).ConfigureAwait(false);
        var estimate = pods.Where(p => p.Status?.Phase is not ("Succeeded" or "Failed")).Select(p => p.Spec?.TerminationGracePeriodSeconds ?? 0).DefaultIfEmpty(0).Max();
        return _time.GetUtcNow() - deletedAt >= TimeSpan.FromSeconds(estimate) ? 0 : estimate;
    }

    private async Task<List<PartialObject>> ListAllAsync(ApiResource resource, string ns, CancellationToken cancellationToken)
    {
        var items = new List<PartialObject>();
        string? next = null;
        do
        {
            var page = await _dynamic.ListAsync(resource, ns, next, PageSize, cancellationToken).ConfigureAwait(false);
            items.AddRange(page.Items);
            next = page.Metadata?.ContinueProperty;
        }
        while (!string.IsNullOrEmpty(next));

        return items;
    }

    // metav1.Time has whole seconds on the wire.
    private static DateTime Truncate(DateTimeOffset now) => new(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);

    private static bool IsMethodNotAllowed(Exception e) => e is k8s.Autorest.HttpOperationException h && h.Response?.StatusCode == System.Net.HttpStatusCode.MethodNotAllowed;

    // utilerrors.NewAggregate's wording: one error as it is, several in brackets.
    private static string Aggregate(List<string> errors) => errors.Count == 1 ? errors[0] : "[" + string.Join(", ", errors) + "]";

    private sealed class ContentRemainsException(string message, long estimate, int remaining) : Exception(message)
    {
        public long Estimate { get; } = estimate;

        public int Remaining { get; } = remaining;
    }
}
