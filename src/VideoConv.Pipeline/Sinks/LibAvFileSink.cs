using VideoConv.Core.Imaging;
using VideoConv.Pipeline.Frames;
using VideoConv.Pipeline.Media;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Pipeline.Sinks;

/// <summary>
/// <c>file: PATH</c> (or <c>-</c>, standard output) written in-process by the system FFmpeg libraries
/// (<see cref="MediaOutput"/>) into a hidden partial file that moves into place only when finalized.
/// </summary>
internal sealed class LibAvFileSink(FileSinkSpec spec, FileSourceSpec? audioFrom, bool overwrite) : IFrameSink
{
    private readonly string _path = spec.Path;
    private MediaOutput? _output;
    private string? _temp;

    /// <summary>A sink for <paramref name="path"/> with <paramref name="codec"/> (a name or FOURCC) and no audio (tests).</summary>
    public LibAvFileSink(string path, string? codec, bool overwrite) : this(new FileSinkSpec(path, codec), null, overwrite) { }

    public string Name => spec.IsStdout ? "sink file -" : $"sink file {_path}";
    public bool AcceptsFormatChange => false;

    /// <summary>The encoder actually used (libx264, libsvtav1, …), once the first frame arrived.</summary>
    public string? EncoderName => _output?.EncoderName;

    public void Open(ImageFormat format, double fps)
    {
        _output?.Dispose();
        _output = new MediaOutput(spec, audioFrom, format, fps, spec.IsStdout ? "standard output" : _path);
    }

    public void Write(Frame frame)
    {
        if (_output is null) throw new InvalidOperationException("sink not opened");
        if (!_output.Started) _output.Start(spec.IsStdout ? "pipe:1" : _temp = PartialFiles.Create(_path), frame.TimeBase);
        _output.Encode(frame);
    }

    public void Complete()
    {
        if (_output is not { Started: true }) return; // no frame arrived: nothing to write
        _output.Finish();
        if (_temp is not null) PartialFiles.Commit(_temp, _path, overwrite);
        _temp = null;
    }

    public void Abort()
    {
        _output?.Dispose();
        PartialFiles.Discard(_temp);
        _temp = null;
    }

    public void Dispose() => Abort();
}
