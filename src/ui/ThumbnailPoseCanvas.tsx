import type { ComponentProps } from 'react';
import { PoseCanvas } from './PoseCanvas';
import { useThumbnail } from './useThumbnail';

type PoseCanvasProps = ComponentProps<typeof PoseCanvas>;

/** A PoseCanvas over an image's thumbnail file, decoded while it is mounted (useThumbnail). */
export function ThumbnailPoseCanvas({ thumbnail, ...props }: Omit<PoseCanvasProps, 'image' | 'sourceSizePx'> & { thumbnail: Blob | null }) {
  const bitmap = useThumbnail(thumbnail);
  return <PoseCanvas {...props} image={bitmap} sourceSizePx={{ width: bitmap?.width ?? 1, height: bitmap?.height ?? 1 }} />;
}
