import { createContext, useContext } from 'react';
import type { InferenceController } from './inferenceController';

/** The one inference controller, provided by app/ so features never create their own. */
export const ControllerContext = createContext<InferenceController | null>(null);

export function useController(): InferenceController {
  const controller = useContext(ControllerContext);
  if (!controller) throw new Error('useController must be used inside <ControllerContext.Provider>');
  return controller;
}
