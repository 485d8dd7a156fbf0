namespace VideoConv.Core;

/// <summary>A filter definition that cannot be applied: bad kernel, bad geometry, an output that would be empty.</summary>
/// <remarks>
/// <see cref="Key"/> names the filter-file key the refusal is about (<c>scale</c>, <c>stride</c>, <c>kernel</c>, …),
/// so a caller that knows where each key came from can point at it without reading the message; null when the
/// refusal is about the filter as a whole (or about the frame it meets).
/// </remarks>
public class FilterDefinitionException(string message, string? key = null, int? step = null) : Exception(message)
{
    /// <summary>For a refusal from a <see cref="Convolution.FilterChain"/>: the 0-based index of the chain step refused; else null.</summary>
    public int? Step { get; } = step;

    /// <summary>The filter-file key blamed, or null. Kernel weights are blamed on the key that holds them: <c>kernel</c>, <c>kernels</c>, <c>magnitude</c> or <c>weights</c> (see <see cref="Filters.FilterDefinition.WeightsKey"/>).</summary>
    public string? Key { get; } = key;
}
