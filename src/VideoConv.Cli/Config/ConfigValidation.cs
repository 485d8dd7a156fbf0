using VideoConv.Cli.Yaml;
using VideoConv.Core.Imaging;
using VideoConv.Pipeline.Validation;

namespace VideoConv.Cli.Config;

/// <summary>
/// The CLI asking the one validator (<see cref="SpecValidator"/>) about a config, and turning its refusal into a
/// located <see cref="ConfigException"/>: the location travels in the exception, taken from the spec's origins.
/// </summary>
public static class ConfigValidation
{
    /// <summary>
    /// Throws <see cref="ConfigException"/> at the first problem. Output folders that do not exist yet pass when they
    /// can be created; with <paramref name="createOutputFolders"/> (run, batch) they are then created, validate creates nothing.
    /// </summary>
    public static void Check(PipelineConfig config, bool overwrite, bool createOutputFolders = false)
    {
        var spec = config.ToSpec();
        try
        {
            SpecValidator.Validate(spec, overwrite, foldersMayBeMissing: true);
        }
        catch (PipelineSpecException ex)
        {
            throw Located(ex, config.RootLocation);
        }
        if (createOutputFolders) OutputFolders.Create(spec);
    }

    /// <summary>The chain's output format for an input of <paramref name="format"/>; a step that breaks is refused at its line.</summary>
    public static ImageFormat ChainOutput(IReadOnlyList<ChainStep> chain, ImageFormat format, SourceLocation fallback)
    {
        var spec = new PipelineSpec(new PatternSourceSpec(), chain.Select(s => s.Definition).ToList(), [])
        {
            ChainOrigins = chain.Select(s => new SpecOrigin(s.Location)).ToList(),
        };
        try
        {
            return SpecValidator.ChainOutput(spec, format);
        }
        catch (PipelineSpecException ex)
        {
            throw Located(ex, fallback);
        }
    }

    /// <summary>The frame format a config's source delivers, when known without opening it.</summary>
    public static ImageFormat? KnownFormat(PipelineConfig config) => SpecValidator.KnownFormat(config.Source);

    /// <summary>The refusal at the place the spec's origin gave it, else at <paramref name="fallback"/>.</summary>
    public static ConfigException Located(PipelineSpecException ex, SourceLocation fallback) =>
        new(ex.Location ?? fallback, ex.Location is null && ex.Subject.Length > 0 ? $"{ex.Subject}: {ex.Message}" : ex.Message, ex);

    /// <summary>A folder named on the command line (<c>--out</c>) that must be writable or creatable.</summary>
    public static void CheckWritableFolder(string folder, string option)
    {
        try
        {
            OutputFolders.CheckWritable(folder);
        }
        catch (IOException ex)
        {
            throw new ConfigException(SourceLocation.CommandLine(option), ex.Message, ex);
        }
    }
}
