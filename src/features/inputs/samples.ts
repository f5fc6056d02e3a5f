/** Bundled sample photos (CC BY / BY-SA, see public/samples/samples.json), served from the app's origin. */
export interface SampleImage {
  file: string;
  cocoImageId: number;
  licence: string;
  licenceUrl: string;
  sourceUrl: string;
}

export interface SampleCatalogue {
  attribution: string;
  images: SampleImage[];
}

const SAMPLES_URL = `${import.meta.env.BASE_URL}samples/`;

export async function loadSampleCatalogue(): Promise<SampleCatalogue> {
  const response = await fetch(`${SAMPLES_URL}samples.json`);
  if (!response.ok) throw new Error(`sample list: HTTP ${response.status}`);
  return (await response.json()) as SampleCatalogue;
}

export async function fetchSampleFile(sample: SampleImage): Promise<Blob> {
  const response = await fetch(`${SAMPLES_URL}${encodeURIComponent(sample.file)}`);
  if (!response.ok) throw new Error(`${sample.file}: HTTP ${response.status}`);
  return response.blob();
}

export async function fetchSampleAnnotations(): Promise<Blob> {
  const response = await fetch(`${SAMPLES_URL}annotations.json`);
  if (!response.ok) throw new Error(`sample annotations: HTTP ${response.status}`);
  return response.blob();
}
