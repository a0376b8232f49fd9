-- body_kinds: one row per kind of reporting body in the registry, with its name in Kazakh, Russian and English.
-- The kinds are those the registry accepts (adep.registry.KINDS); a test keeps the two equal.
create or replace view body_kinds as
select *
from (
    values
        ('central_body', 1, 'Орталық мемлекеттік орган', 'Центральный государственный орган', 'central state body'),
        ('department', 2, 'Ведомство', 'Ведомство', 'department'),
        ('territorial_unit', 3, 'Аумақтық бөлімше', 'Территориальное подразделение', 'territorial unit'),
        ('foreign_institution', 4, 'Шетелдегі мекеме', 'Загранучреждение', 'foreign institution'),
        ('audit_commission', 5, 'Тексеру комиссиясы', 'Ревизионная комиссия', 'audit commission'),
        ('regional_akimat', 6, 'Облыс, республикалық маңызы бар қала, астана әкімдігі',
            'Акимат области, города республиканского значения, столицы', 'regional akimat'),
        ('local_akimat', 7, 'Облыстық маңызы бар қала, аудан, қаладағы аудан әкімдігі',
            'Акимат города областного значения, района, района в городе', 'local akimat'),
        ('excluded', 8, 'Құқық қорғау, арнаулы органдар, Қорғаныс министрлігі (нысанды ұсынбайды)',
            'Правоохранительные, специальные органы, Министерство обороны (форму не представляют)',
            'law-enforcement, special bodies, Ministry of Defence (do not file)')
) as kinds(kind, position, label_kk, label_ru, label_en)
