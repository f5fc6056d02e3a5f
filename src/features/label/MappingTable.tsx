import type { KeypointLayout } from '../../core/layouts';
import { clearMappingTable, labelMapping, setMappingEntry, type LabelMapping } from '../../core/labelling';
import type { LabelDocument } from '../../core/labelling/labelTypes';
import { useAppStore } from '../../store/appStore';

const NONE = '';

/**
 * Which model keypoint fills which label keypoint when pre-labelling from a model whose layout is not the
 * skeleton's: one choice per label keypoint, kept in the document per model layout (so it is saved with the session).
 * `mapping` is what pre-labelling will use (the table applied); each row says how its keypoint was found.
 */
export function MappingTable({ doc, modelLayout, mapping }: { doc: LabelDocument; modelLayout: KeypointLayout; mapping: LabelMapping }) {
  const editLabels = useAppStore((s) => s.editLabels);
  const table = doc.mappingTables?.[modelLayout.id];
  // Without the user's table: what each untouched row falls back to, and why.
  const automatic = labelMapping(modelLayout, doc.skeleton);
  const names = doc.skeleton.keypointNames;
  const howOf = (name: string, i: number): string => {
    if (table && Object.hasOwn(table, name)) return mapping.reasons[name] ?? 'your choice';
    if (automatic.sourceIndex[i] !== null) return automatic.how;
    return `none: ${automatic.reasons[name] ?? 'no such keypoint'}`;
  };
  return (
    <div className="label-mapping" data-testid="label-mapping" data-layout={modelLayout.id} onKeyDown={(e) => e.stopPropagation()}>
      <h4>Which {modelLayout.displayName} keypoint fills each label keypoint</h4>
      <table className="skeleton-table">
        <thead>
          <tr>
            <th scope="col">Label keypoint</th>
            <th scope="col">Model keypoint</th>
            <th scope="col">How</th>
          </tr>
        </thead>
        <tbody>
          {names.map((name, i) => {
            const index = mapping.sourceIndex[i] ?? null;
            return (
              <tr key={name} data-keypoint={name} data-source={index === null ? '' : modelLayout.keypointNames[index]}>
                <th scope="row">{name}</th>
                <td>
                  <select
                    aria-label={`Model keypoint for ${name}`}
                    value={index === null ? NONE : modelLayout.keypointNames[index]}
                    onChange={(e) => editLabels((d) => setMappingEntry(d, modelLayout.id, name, e.target.value === NONE ? null : e.target.value))}
                  >
                    <option value={NONE}>none: starts absent</option>
                    {modelLayout.keypointNames.map((modelName) => (
                      <option key={modelName} value={modelName}>
                        {modelName}
                      </option>
                    ))}
                  </select>
                </td>
                <td className="hint">{howOf(name, i)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {table && Object.keys(table).length > 0 && (
        <button type="button" onClick={() => editLabels((d) => clearMappingTable(d, modelLayout.id))}>
          Forget my choices for {modelLayout.displayName}
        </button>
      )}
    </div>
  );
}
